"""The outbox: a Notification row is written with the change that causes it, sent on commit."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable
from typing import Any

from celery import Task
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import tasks
from notifications.models import Notification
from notifications.rendering import letter_subject, render_email

logger = logging.getLogger(__name__)

# What a failed send raises: the SMTP conversation went wrong, or the server could not be reached.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
# Called with each row in the transaction that marks it sent; the apps above register here (a
# promise is kept when the message keeping it is sent). See `on_sent`.
_sent_listeners: list[Callable[[Notification], Any]] = []


# Called, outside any transaction of ours, with a complainant's message that keeps failing for
# REDRESS_NOTIFICATION_ALERT_ATTEMPTS attempts, once; the apps above alert their staff.
_delayed_listeners: list[Callable[[Notification], Any]] = []


def on_delivery_delayed(listener: Callable[[Notification], Any]) -> Callable[[Notification], Any]:
    """Register `listener` to run once for each message that keeps failing to go out."""
    if listener not in _delayed_listeners:
        _delayed_listeners.append(listener)
    return listener


def on_sent(listener: Callable[[Notification], Any]) -> Callable[[Notification], Any]:
    """Register `listener` to run, in the same transaction, whenever a notification is sent."""
    if listener not in _sent_listeners:
        _sent_listeners.append(listener)
    return listener


def dedupe_key(source: str, kind: str, occurrence: object, recipient: object = "") -> str:
    """Return the one key of one message: `kind` for one occurrence of what it serves.

    `source` names the record the message is about (a case), `occurrence` the one event or
    promise it serves on it (never a time of writing, which could never deduplicate), and
    `recipient` tells apart the copies of a message that goes to several people.
    """
    key = f"{source}:{kind}:{occurrence}"
    return f"{key}:{recipient}" if recipient != "" else key


# Alerts to staff: always emails, never letters.
STAFF_KINDS = (
    Notification.Kind.STAFF_ASSIGNED,
    Notification.Kind.STAFF_DUE_SOON,
    Notification.Kind.STAFF_BREACHED,
    Notification.Kind.STAFF_DELIVERY_DELAYED,
    Notification.Kind.STAFF_ACTIVITY,
    Notification.Kind.STAFF_REVIEW_ASSIGNED,
    Notification.Kind.STAFF_DIGEST,
)


# Never letters: alerts to staff, and what is only of use with the tracking page's link.
NOT_ON_PAPER = (*STAFF_KINDS, Notification.Kind.TRACKING_LINK, Notification.Kind.SURVEY)
# In a letter's context: the address whose failure made it a letter.
UNDELIVERABLE = "undeliverable_address"


class LetterNotPostable(Exception):
    """A letter cannot be marked posted (already posted, not a letter, or a wrong moment).

    The message is written for the person acting. (Not a ComplaintError: the outbox knows
    nothing of the apps above it; complaints.services turns it into one.)
    """


def notification_enqueue(
    *,
    complaint: Any,
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
    # Letters wait for staff to post them: no task, and the dispatch sweep passes them over.
    soon = [
        notification.pk
        for notification in written
        if notification.next_attempt_at is None
        and notification.channel == Notification.Channel.EMAIL
    ]
    if soon:
        transaction.on_commit(lambda: publish(tasks.notification_send, soon))
    return written


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification; return whether it went out.

    Traps: the claim (pending -> sending, exactly one row) is what makes a task delivered twice or
    two sweeps at once send once; a worker that dies between the SMTP send and marking the row sent
    leaves it `sending`, and the sweep reclaims it after REDRESS_NOTIFICATION_SENDING_TIMEOUT, so
    that rare case sends twice rather than never.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.filter(
            pk=notification_id,
            status=Notification.Status.PENDING,
            channel=Notification.Channel.EMAIL,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Notification.Status.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related(
        "complaint__policy", "complaint__handler", "complaint__category"
    ).get(pk=notification_id)
    if _address_failed(notification):
        # Mail to this address bounced or was refused before: the complainant gets it by post.
        Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
            channel=Notification.Channel.LETTER,
            recipient="",
            status=Notification.Status.PENDING,
            claimed_at=None,
            next_attempt_at=None,
        )
        return False
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
    with transaction.atomic():
        notification.sent_at = timezone.now()
        Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
            status=Notification.Status.SENT,
            sent_at=notification.sent_at,
            attempts=F("attempts") + 1,
            last_error="",
            subject=email.subject,
            message_id=email.extra_headers["Message-ID"],
        )
        notification.status = Notification.Status.SENT
        _after_sent(notification)
    _close_quietly(connection)
    return True


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except DELIVERY_ERRORS:
        logger.info("Could not close the SMTP connection cleanly.", exc_info=True)


def notification_mark_posted(
    *, notification: Notification, posted_at: dt.datetime, user
) -> Notification:
    """Record that staff posted a letter: it is sent, at the moment it was posted, once.

    Refused (LetterNotPostable) for an email, a letter already posted, or a moment in the
    future or before the letter existed; nothing changes then.
    """
    if notification.channel != Notification.Channel.LETTER:
        raise LetterNotPostable(_("Only a letter can be marked posted."))
    if posted_at > timezone.now():
        raise LetterNotPostable(_("A letter cannot be posted in the future."))
    if posted_at < notification.created_at:
        raise LetterNotPostable(_("A letter cannot be posted before it was written."))
    with transaction.atomic():
        # The conditional update is the guard: of two staff marking it at once, one wins.
        changed = Notification.objects.filter(
            pk=notification.pk,
            channel=Notification.Channel.LETTER,
            status=Notification.Status.PENDING,
        ).update(
            status=Notification.Status.SENT,
            sent_at=posted_at,
            posted_by=user,
            attempts=F("attempts") + 1,
            subject=letter_subject(notification),
        )
        if changed != 1:
            raise LetterNotPostable(_("This letter was already marked posted."))
        notification.refresh_from_db()
        _after_sent(notification)
    return notification


def _after_sent(notification: Notification) -> None:
    """Tell the apps above that a message reached the complainant, emailed or posted.

    The one place for it: email delivery and marking a letter posted both end here, inside the
    transaction that marked the row sent.
    """
    for listener in _sent_listeners:
        listener(notification)


def notification_as_letter(*, notification: Notification) -> Notification | None:
    """Write a letter for a complainant's email that bounced or whose address was refused.

    Its dedupe key is the email's with ':letter' added: one letter per undeliverable email. The
    letter names the address that failed, which sends the case's later emails to that address
    by post too (address_undeliverable). Return the letter, or None if it existed already.
    """
    if notification.recipient_user_id is not None or notification.kind in NOT_ON_PAPER:
        return None
    written = notifications_enqueue(
        [
            Notification(
                complaint_id=notification.complaint_id,
                kind=notification.kind,
                channel=Notification.Channel.LETTER,
                recipient="",
                language=notification.language,
                dedupe_key=f"{notification.dedupe_key}:letter"[:200],
                context=notification.context | {UNDELIVERABLE: notification.recipient},
            )
        ]
    )
    return written[0] if written else None


def address_undeliverable(*, complaint_id: int, recipient: str) -> bool:
    """Return whether mail to `recipient` on this case bounced or was refused before.

    Only an address-specific failure counts (a bounce, or a refusal of the recipient), never an
    outage of our own mail server; a corrected address on the case starts afresh.
    """
    return Notification.objects.filter(
        complaint_id=complaint_id,
        channel=Notification.Channel.LETTER,
        **{f"context__{UNDELIVERABLE}": recipient},
    ).exists()


def _address_failed(notification: Notification) -> bool:
    if notification.recipient_user_id is not None or notification.kind in NOT_ON_PAPER:
        return False
    return address_undeliverable(
        complaint_id=notification.complaint_id, recipient=notification.recipient
    )


def notification_resend(*, notification: Notification) -> bool:
    """Put a failed notification back in the outbox; return whether it was failed."""
    changed = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0, next_attempt_at=None)
    if changed:
        transaction.on_commit(lambda: publish(tasks.notification_send, [notification.pk]))
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
    if failed and isinstance(exc, smtplib.SMTPRecipientsRefused):
        # The address does not take our mail: the complainant is owed the message by post.
        notification_as_letter(notification=notification)


def _alert_staff_once(notification: Notification, now: dt.datetime) -> None:
    """Tell staff, once, that a message is not getting out (through the apps above: the outbox
    does not know who works a case; see `on_delivery_delayed`)."""
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
    for listener in _delayed_listeners:
        listener(notification)


def _write_once(notification: Notification) -> bool:
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=notification.dedupe_key).exists():
            return False
        raise
    return True


def publish(task: Task, object_ids: list) -> None:
    """Publish `task` once per id (or tuple of arguments), over one broker connection; never raise.

    Call it from `transaction.on_commit`. If the broker is down the rows the tasks would handle
    stay as they are and a periodic sweep picks them up later.
    """
    queued = 0
    try:
        with task.app.producer_or_acquire() as producer:
            for object_id in object_ids:
                arguments = object_id if isinstance(object_id, tuple) else (object_id,)
                task.apply_async(arguments, producer=producer)
                queued += 1
    except Exception:  # noqa: BLE001
        # The rest are not tried: each would wait on the broker that just failed.
        logger.warning(
            "Could not queue %s(%s) nor the %s after it; a sweep will do them.",
            task.name,
            object_ids[queued],
            len(object_ids) - queued - 1,
        )
