"""The periodic jobs of the beat schedule. Each handles one batch and returns how many it did.

Each job's query filters on an indexed column of the rows due (named in the job), so its cost
grows with the rows due, not with all open cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from complaints import casework, clock, deadlines, services
from complaints.actors import SYSTEM
from complaints.choices import State
from complaints.exceptions import ComplaintError
from complaints.models import Complaint
from complaints.roles import SUPERVISORS
from notifications.models import Notification
from notifications.services import notification_deliver, notifications_enqueue

BATCH = 500
# A row the web request queued gets this long to be sent by its own task before a sweep steps in.
GRACE = dt.timedelta(minutes=1)
# How far back the alert jobs look for a deadline that passed; beat down longer than this loses
# alerts, which the queue's overdue filter still shows.
ALERT_LOOKBACK = dt.timedelta(days=2)


def until_done(job, *, batch: int = BATCH) -> int:
    """Run `job` batch after batch until one comes back short; return the total done."""
    total = done = job(batch=batch)
    while done >= batch:
        done = job(batch=batch)
        total += done
    return total


def locked_batch(queryset: QuerySet, size: int = BATCH) -> list:
    """Return up to `size` rows of `queryset`, locked for this transaction where possible.

    On PostgreSQL two sweeps at once each take rows the other has not locked. SQLite has no row
    locks, but its IMMEDIATE transactions serialise writers: a second sweep reads the rows only
    once the first has committed (and the services check the state again under their own lock).
    """
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:size])


def notifications_dispatch(*, batch: int = BATCH) -> int:
    """Send pending notifications that are due (index notification_pending); reclaim stuck ones."""
    now = clock.now()
    stuck_since = now - dt.timedelta(seconds=settings.REDRESS_NOTIFICATION_SENDING_TIMEOUT)
    # Index notification_sending: a worker died between claiming and finishing.
    Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=stuck_since
    ).update(status=Notification.Status.PENDING, next_attempt_at=now)
    due = (
        Notification.objects.filter(
            status=Notification.Status.PENDING, channel=Notification.Channel.EMAIL
        )
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - GRACE)
        )
        .order_by()
        .values_list("pk", flat=True)[:batch]
    )
    # notification_deliver claims each row with a conditional update, so a concurrent sweep or
    # task that got there first makes it return False here.
    return sum(notification_deliver(notification_id=pk) for pk in list(due))


def complaints_acknowledge_received(*, batch: int = BATCH) -> int:
    """Acknowledge complaints still received a minute on (index complaint_state_received)."""
    cutoff = clock.now() - GRACE
    queryset = Complaint.objects.filter(state=State.RECEIVED, received_at__lte=cutoff)
    return _each_locked(
        queryset.order_by("received_at"),
        batch,
        lambda case: services.complaint_acknowledge(complaint=case),
    )


def responses_auto_resolve(*, batch: int = BATCH) -> int:
    """Resolve responded cases whose reply window lapsed (index complaint_auto_resolve_due)."""
    queryset = Complaint.objects.filter(state=State.RESPONDED, auto_resolve_at__lte=clock.now())
    note = _("No reply to our response within the time the policy allows.")
    return _each_locked(
        queryset.order_by("auto_resolve_at"),
        batch,
        lambda case: services.complaint_resolve(complaint=case, actor=SYSTEM, note=note),
    )


def progress_updates_send(*, batch: int = BATCH) -> int:
    """Write the progress updates that are due and restart each case's clock.

    Index complaint_update_due. Any other message to the complainant restarts the same clock
    (complaints.deadlines.schedule_next_update), so a case hears from us every interval at least.
    The batch costs a fixed number of queries: one UPDATE per new due moment (one per policy in
    the batch), and one enqueue of all its notifications.
    """
    now = clock.now()
    with transaction.atomic():
        due = locked_batch(
            Complaint.objects.open()
            .filter(next_update_due__lte=now)
            .select_related("policy")
            .prefetch_related("policy__targets")
            .order_by("next_update_due"),
            batch,
        )
        notifications, restarted = [], defaultdict(list)
        for case in due:
            notifications.append(
                casework.complainant_notification(
                    case,
                    Notification.Kind.PROGRESS_UPDATE,
                    key=f"{case.next_update_due:%Y%m%dT%H%M%S}",
                    context={"due": case.next_update_due.isoformat()},
                )
            )
            deadlines.schedule_next_update(case, after=now)
            restarted[case.next_update_due].append(case.pk)
        # No per-row "still due?" condition: the rows cannot have changed since the SELECT. On
        # PostgreSQL they are locked; SQLite lets one writer at a time in (and refuses a write on
        # a stale read). Were that ever to fail, the dedupe key still writes one update per due
        # moment.
        for next_due, pks in restarted.items():
            Complaint.objects.filter(pk__in=pks).update(
                next_update_due=next_due, last_contact_at=now
            )
        notifications_enqueue(filter(None, notifications))
    return len(due)


def deadline_alerts_send(*, batch: int = BATCH) -> int:
    """Alert handlers to deadlines due soon, and handlers and supervisors to breached ones.

    Indexes complaint_open_due_soon and complaint_open_deadline. Each alert is written once per
    deadline: its dedupe key names the deadline's kind and moment.
    """
    now = clock.now()
    since = now - ALERT_LOOKBACK
    base = Complaint.objects.open().select_related("handler").order_by()
    due_soon = base.filter(due_soon_at__lte=now, due_soon_at__gt=since, next_deadline__gte=now)
    breached = base.filter(next_deadline__lt=now, next_deadline__gt=since)
    supervisors = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=SUPERVISORS)
        .exclude(email="")
        .order_by("pk")
    )
    written = _alert(due_soon, Notification.Kind.STAFF_DUE_SOON, lambda case: [], batch)
    return written + _alert(
        breached, Notification.Kind.STAFF_BREACHED, lambda case: supervisors, batch - written
    )


def _alert(queryset: QuerySet, kind: str, also_to, budget: int) -> int:
    written = 0
    cases = queryset.iterator(chunk_size=BATCH)
    # Chunks of as many cases as alerts are left to write: a case owes a few alerts at most, so
    # the budget holds roughly; cases alerted already write none and the next chunk reads on.
    while written < budget and (chunk := list(islice(cases, budget - written))):
        alerts = (alert for case in chunk for alert in _case_alerts(case, kind, also_to(case)))
        written += len(notifications_enqueue(alerts))
    return written


def _case_alerts(case: Complaint, kind: str, also_to: Iterable) -> list[Notification]:
    recipients = {user.pk: user for user in also_to}
    if case.handler is not None and case.handler.is_active and case.handler.email:
        recipients[case.handler.pk] = case.handler
    deadline = f"{case.next_deadline_kind}:{case.next_deadline:%Y%m%dT%H%M%S}"
    return [
        Notification(
            complaint=case,
            kind=kind,
            recipient=user.email,
            recipient_user=user,
            language=settings.LANGUAGE_CODE,
            dedupe_key=f"{case.pk}:{kind}:{deadline}:{user.pk}",
            context={
                "deadline_kind": case.next_deadline_kind,
                "deadline_at": case.next_deadline.isoformat(),
            },
        )
        for user in recipients.values()
    ]


def _each_locked(queryset: QuerySet, batch: int, act) -> int:
    done = 0
    with transaction.atomic():
        for case in locked_batch(queryset, batch):
            try:
                act(case)
            except ComplaintError:
                # Someone acted on the case meanwhile (a handler, or the task this sweep backs up).
                continue
            done += 1
    return done
