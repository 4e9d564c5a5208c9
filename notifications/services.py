"""The outbox: a Notification row is written with the change that causes it, sent on commit."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from complaints import clock
from complaints.roles import SUPERVISORS
from notifications.models import Notification
from notifications.rendering import render_email

if TYPE_CHECKING:
    from complaints.models import Complaint

logger = logging.getLogger(__name__)

# What a failed send raises: the SMTP conversation went wrong, or the server could not be reached.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
# After these kinds are sent, the complainant is asked to rate the process, once per case.
SURVEY_AFTER = (Notification.Kind.RESOLVED, Notification.Kind.FINAL_RESPONSE)


def notification_enqueue(
    *,
    complaint: Complaint,
    kind: str,
    recipient: str,
    dedupe_key: str,
    language: str = "en",
    recipient_user=None,
    context: dict | None = None,
    send_after: dt.datetime | None = None,
) -> bool:
    """Write the notification once per `dedupe_key`; queue its sending when the change commits.

    With `send_after`, the row waits for the dispatch sweep to find it due. Return whether it was
    written now (False: a notification with that key exists already).
    """
    notification = Notification(
        complaint=complaint,
        kind=kind,
        recipient=recipient,
        recipient_user=recipient_user,
        language=language,
        dedupe_key=dedupe_key,
        context=context or {},
        next_attempt_at=send_after,
    )
    return bool(notifications_enqueue([notification]))


def notifications_enqueue(notifications: Iterable[Notification]) -> list[Notification]:
    """Write each unsaved notification whose dedupe key is new; queue their sending on commit.

    Return the rows written now, with their pks. A row with `next_attempt_at` set waits for the
    dispatch sweep to find it due; the others are published in one pass over one broker
    connection once the transaction commits.

    Traps: the unique dedupe key is the guard, not the SELECT of existing keys: a writer that
    commits one of the keys between that SELECT and the INSERT makes the bulk INSERT fail, and the
    rows are then written one at a time, each skipped if its key is there. A plain bulk INSERT
    rather than ignore_conflicts=True, because RETURNING then gives exactly the rows this call
    wrote (ON CONFLICT DO NOTHING gives no pks, and a re-read cannot tell our rows from the
    concurrent writer's), and because SQLite's INSERT OR IGNORE would also drop a row that breaks
    a NOT NULL or CHECK constraint without a word. The rows go in in key order, so two batches
    sharing keys wait for each other on PostgreSQL rather than deadlock.
    """
    wanted: dict[str, Notification] = {}
    for notification in notifications:
        wanted.setdefault(notification.dedupe_key, notification)
    if not wanted:
        return []
    existing = set(
        Notification.objects.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True)
    )
    new = [wanted[key] for key in sorted(wanted.keys() - existing)]
    if not new:
        return []
    try:
        with transaction.atomic():
            written = Notification.objects.bulk_create(new)
    except IntegrityError:
        written = [notification for notification in new if _write_once(notification)]
    if any(notification.pk is None for notification in written):
        # A database that cannot return the rows of a bulk INSERT (SQLite before 3.35): the keys
        # were new and are now ours, so reading them back finds our rows.
        pks = dict(
            Notification.objects.filter(
                dedupe_key__in=[notification.dedupe_key for notification in written]
            ).values_list("dedupe_key", "pk")
        )
        for notification in written:
            notification.pk = pks[notification.dedupe_key]
    soon = [notification.pk for notification in written if notification.next_attempt_at is None]
    if soon:
        transaction.on_commit(lambda: _queue("notification_send", soon))
    return written


def complaint_submitted(*, complaint: Complaint) -> None:
    """Acknowledge a new complaint as soon as its submission commits.

    The public site calls this inside the transaction that saved the complaint. If the broker is
    down the acknowledgement sweep acknowledges it a minute later instead.
    """
    transaction.on_commit(lambda: _queue("acknowledge_complaint", [complaint.pk]))


def request_tracking_link(*, reference: str, email: str) -> None:
    """Queue the lookup of a case by reference and email and the sending of its link."""
    transaction.on_commit(lambda: _queue("send_tracking_link", [(reference, email)]))


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification; return whether it went out.

    Traps: the claim (pending -> sending, exactly one row) is what makes a task delivered twice or
    two sweeps at once send once; a worker that dies between the SMTP send and marking the row sent
    leaves it `sending`, and the sweep reclaims it after REDRESS_NOTIFICATION_SENDING_TIMEOUT, so
    that rare case sends twice rather than never.
    """
    now = clock.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Notification.Status.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related(
        "complaint__policy", "complaint__handler", "complaint__category"
    ).get(pk=notification_id)
    try:
        email = render_email(notification)
    except Exception as exc:
        # A template or data bug: retrying cannot help, so the row fails at once and shows.
        _record_failure(notification, exc, now, final=True)
        raise
    # The connection is opened before and closed after marking the row sent, so that a worker
    # killed between the server's "250" to our message and that mark (the only moment a send
    # can be doubled) has no QUIT round trip in between: the window is as small as SMTP allows.
    connection = get_connection()
    try:
        connection.open()
        email.connection = connection
        email.send()
    except DELIVERY_ERRORS as exc:
        _close_quietly(connection)
        _record_failure(notification, exc, now)
        return False
    Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT,
        sent_at=clock.now(),
        attempts=F("attempts") + 1,
        last_error="",
        subject=email.subject,
        message_id=email.extra_headers["Message-ID"],
    )
    _close_quietly(connection)
    if notification.kind in SURVEY_AFTER:
        _schedule_survey(notification)
    return True


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except DELIVERY_ERRORS:
        logger.info("Could not close the SMTP connection cleanly.", exc_info=True)


def notification_resend(*, notification: Notification) -> bool:
    """Put a failed notification back in the outbox; return whether it was failed."""
    changed = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0, next_attempt_at=None)
    if changed:
        transaction.on_commit(lambda: _queue("notification_send", [notification.pk]))
    return bool(changed)


def backoff(attempts: int) -> dt.timedelta:
    """Return how long to wait before the next attempt after `attempts` failed ones (capped)."""
    first = settings.REDRESS_NOTIFICATION_RETRY_SECONDS
    return dt.timedelta(
        seconds=min(
            first * 2 ** min(attempts - 1, 30), settings.REDRESS_NOTIFICATION_RETRY_MAX_SECONDS
        )
    )


def is_permanent(exc: Exception) -> bool:
    """Return whether a send failed for good: the server refused the recipient or the message.

    Everything else (connection refused, timeouts, a server that hung up, 4xx answers, and our
    own login or sender being refused, which staff must fix) is transient and retried.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(
            code >= 500 for code, _message in exc.recipients.values()
        )
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def promise_open(notification: Notification, now: dt.datetime) -> bool:
    """Return whether the message still serves a promise: its case is open, or closed lately.

    A closing message (the resolution, the final response) is owed after the case closed, so
    a closed case's mail keeps trying for REDRESS_NOTIFICATION_CLOSED_RETRY_DAYS after closure.
    """
    closed_at = notification.complaint.closed_at
    grace = dt.timedelta(days=settings.REDRESS_NOTIFICATION_CLOSED_RETRY_DAYS)
    return closed_at is None or now < closed_at + grace


def _record_failure(
    notification: Notification, exc: Exception, now: dt.datetime, *, final: bool = False
) -> None:
    """Put a failed send back in the outbox with its backoff, or mark it failed for good.

    Only a permanent rejection (or a bug in rendering) is final; a transient failure retries
    for as long as the promise is open, and staff are alerted once when it has failed
    REDRESS_NOTIFICATION_ALERT_ATTEMPTS times.
    """
    attempts = notification.attempts + 1
    failed = final or is_permanent(exc) or not promise_open(notification, now)
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=None if failed else now + backoff(attempts),
    )
    logger.warning("Notification %s not sent (attempt %s): %s", notification.pk, attempts, exc)
    if not failed and attempts >= settings.REDRESS_NOTIFICATION_ALERT_ATTEMPTS:
        _alert_staff_once(notification, now)


def _alert_staff_once(notification: Notification, now: dt.datetime) -> None:
    """Tell the case's handler and the supervisors, once, that a message is not getting out."""
    first = Notification.objects.filter(pk=notification.pk, alerted_at__isnull=True).update(
        alerted_at=now
    )
    if not first or notification.recipient_user_id is not None:
        return  # alerted already, or a staff alert itself: staff see it in the outbox
    logger.error(
        "Notification %s of complaint %s still not sent after %s attempts.",
        notification.pk,
        notification.complaint_id,
        notification.attempts + 1,
    )
    complaint = notification.complaint
    staff = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(is_active=True, groups__name=SUPERVISORS)
        .exclude(email="")
    }
    if complaint.handler is not None and complaint.handler.is_active and complaint.handler.email:
        staff[complaint.handler.pk] = complaint.handler
    kind = Notification.Kind.STAFF_DELIVERY_DELAYED
    notifications_enqueue(
        Notification(
            complaint=complaint,
            kind=kind,
            recipient=user.email,
            recipient_user=user,
            language=settings.LANGUAGE_CODE,
            dedupe_key=f"{complaint.pk}:{kind}:{notification.pk}:{user.pk}",
            context={"notification_id": notification.pk},
        )
        for user in staff.values()
    )


def _schedule_survey(notification: Notification) -> None:
    complaint = notification.complaint
    notification_enqueue(
        complaint=complaint,
        kind=Notification.Kind.SURVEY,
        recipient=notification.recipient,
        language=notification.language,
        dedupe_key=f"{complaint.pk}:{Notification.Kind.SURVEY}",
        send_after=clock.now() + dt.timedelta(hours=settings.REDRESS_SURVEY_DELAY_HOURS),
    )


def _write_once(notification: Notification) -> bool:
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=notification.dedupe_key).exists():
            return False
        raise
    return True


def _queue(task_name: str, object_ids: list) -> None:
    """Publish the task once per id (or tuple of arguments), all over one broker connection."""
    from notifications import tasks

    task, queued = getattr(tasks, task_name), 0
    try:
        with task.app.producer_or_acquire() as producer:
            for object_id in object_ids:
                arguments = object_id if isinstance(object_id, tuple) else (object_id,)
                task.apply_async(arguments, producer=producer)
                queued += 1
    except Exception:  # noqa: BLE001
        # The broker is down: the rows stay as they are and a periodic sweep picks them up later.
        # The rest are not tried: each would wait on the broker that just failed.
        logger.warning(
            "Could not queue %s(%s) nor the %s after it; a sweep will do them.",
            task_name,
            object_ids[queued],
            len(object_ids) - queued - 1,
        )
