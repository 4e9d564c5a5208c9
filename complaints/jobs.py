"""The lifecycle's periodic jobs. Each handles one batch and returns how many it did.

Each job's query reads an index of the rows due (named in the job), so its cost grows with what
is due, not with all open cases. The Celery tasks around them are in complaints.tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from complaints import clock, holding_replies, outbox, services
from complaints.actors import SYSTEM
from complaints.choices import CASEWORK_PROMISES, PromiseKind, State
from complaints.exceptions import ComplaintError
from complaints.models import Complaint, Promise
from complaints.roles import SUPERVISORS
from notifications.jobs import grace
from notifications.models import Notification
from notifications.services import notifications_enqueue

BATCH = 500


def locked_batch(queryset: QuerySet, size: int = BATCH) -> list:
    """Return up to `size` rows of `queryset`, locked for this transaction where possible.

    On PostgreSQL two sweeps at once each take rows the other has not locked. SQLite has no row
    locks, but its IMMEDIATE transactions serialise writers: a second sweep reads the rows only
    once the first has committed (and the services check the state again under their own lock).
    """
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:size])


def complaints_acknowledge_received(*, batch: int = BATCH) -> int:
    """Acknowledge complaints still received a minute on (index complaint_state_received)."""
    cutoff = clock.now() - grace()
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
    """Write the progress updates whose moment came (index promise_update_due).

    Each open update promise is written once: its dedupe key names the promise. It is kept when
    the email goes out, and that (complaints.outbox.after_sent) owes the next one, counted from
    then; any other message to the complainant keeps it the same way.
    """
    now = clock.now()
    with transaction.atomic():
        due = locked_batch(
            Promise.objects.filter(
                kind=PromiseKind.PROGRESS_UPDATE,
                kept_at__isnull=True,
                released_at__isnull=True,
                aim__lte=now,
                complaint__state__in=(
                    State.RECEIVED,
                    State.ACKNOWLEDGED,
                    State.INVESTIGATING,
                    State.ESCALATED,
                ),
            )
            .exclude(complaint__complainant_email="")
            # Written to by post at their request: like a complainant without an email
            # address, no automatic letter; the handler sees the update due and writes.
            .exclude(complaint__vulnerability__by_post=True)
            .select_related("complaint__policy", "complaint__vulnerability")
            .order_by("aim"),
            batch,
        )
        updates = [
            outbox.to_complainant(
                promise.complaint,
                Notification.Kind.PROGRESS_UPDATE,
                occurrence=outbox.for_promise(promise),
                keeps=[promise.pk],
            )
            for promise in due
        ]
        written = notifications_enqueue(filter(None, updates))
        # The aim moves past now so the next run does not read the same rows again; the limit,
        # which the promise is judged by, stays.
        Promise.objects.filter(pk__in=[promise.pk for promise in due]).update(aim=None)
    return len(written)


def holding_replies_send(*, batch: int = BATCH) -> int:
    """Write the holding replies nobody wrote by their aim (index promise_holding_reply_due).

    A rule pack's holding reply (DISP 1.6.2R(2)) is owed by the regulatory limit; at its aim,
    some business days before, the sweep writes it with the latest extension's reasons (or a
    standard sentence) and the full-response date, so it is sent in time even if nobody acts.
    A handler who wrote it first has kept it; a final response sent first released it.
    """
    now = clock.now()
    done = 0
    with transaction.atomic():
        due = locked_batch(
            Promise.objects.filter(
                kind=PromiseKind.HOLDING_REPLY,
                kept_at__isnull=True,
                released_at__isnull=True,
                aim__lte=now,
                complaint__state__in=holding_replies.OWING_STATES,
            ).order_by("aim"),
            batch,
        )
        for promise in due:
            case = Complaint.objects.select_related("policy", "category").get(
                pk=promise.complaint_id
            )
            try:
                with transaction.atomic():
                    holding_replies.holding_reply_automatic(case)
            except ComplaintError:
                # Already written (by the handler, or a sweep before a crash), or refused by
                # the final-response check: the breach alert tells the staff in time.
                pass
            else:
                done += 1
        # The aim moves past now so the next run does not read the same rows again; the limit,
        # which the promise is judged by, stays.
        Promise.objects.filter(pk__in=[promise.pk for promise in due]).update(aim=None)
    return done


def promise_alerts_send(*, batch: int = BATCH) -> int:
    """Alert whoever owes a promise when it is due soon, and them and supervisors once it is late.

    Indexes promise_due_soon_unalerted and promise_breach_unalerted. Each promise gets one
    due-soon alert and one breach alert at most, each marked on the row in the transaction that
    writes it; the reviewer owes a review, the handler everything else.
    """
    now = clock.now()
    supervisors = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=SUPERVISORS)
        .exclude(email="")
        .order_by("pk")
    )
    with transaction.atomic():
        due_soon = locked_batch(
            _open_promises()
            .filter(
                kind__in=CASEWORK_PROMISES,
                # A paused internal target alerts nobody; the regulator's promises never pause.
                paused_at__isnull=True,
                due_soon_alerted_at__isnull=True,
                due_soon_at__lte=now,
                limit__gte=now,
            )
            .order_by("due_soon_at"),
            batch,
        )
        breached = locked_batch(
            _open_promises()
            .filter(breach_alerted_at__isnull=True, paused_at__isnull=True, limit__lt=now)
            .order_by("limit"),
            batch,
        )
        alerts = [
            *_alerts(due_soon, Notification.Kind.STAFF_DUE_SOON, "due_soon", supervisors),
            *_alerts(breached, Notification.Kind.STAFF_BREACHED, "breach", supervisors),
        ]
        notifications_enqueue(alerts)
        Promise.objects.filter(pk__in=[p.pk for p in due_soon]).update(due_soon_alerted_at=now)
        Promise.objects.filter(pk__in=[p.pk for p in breached]).update(breach_alerted_at=now)
    return len(due_soon) + len(breached)


def _open_promises() -> QuerySet[Promise]:
    return Promise.objects.filter(kept_at__isnull=True, released_at__isnull=True).select_related(
        "complaint__handler", "owner"
    )


def _alerts(
    promises: Iterable[Promise], kind: str, moment: str, supervisors: list
) -> list[Notification]:
    alerts: list[Notification] = []
    for promise in promises:
        case = promise.complaint
        owner = promise.owner or case.handler
        # Supervisors hear of every breach, of any review, and of what nobody owns yet.
        to_supervisors = moment == "breach" or promise.kind == PromiseKind.REVIEW or owner is None
        also = supervisors if to_supervisors else []
        recipients = {user.pk: user for user in [owner, *also] if _reachable(user)}
        alerts.extend(
            outbox.to_staff(
                case,
                kind,
                user,
                # The deadline is part of the occurrence: an extended promise is a new deadline
                # with alerts of its own.
                occurrence=f"{outbox.for_promise(promise)}-{moment}-{promise.limit:%Y%m%dT%H%M}",
                context={"deadline_kind": promise.kind, "deadline_at": promise.limit.isoformat()},
            )
            for user in recipients.values()
        )
    return alerts


def _reachable(user: Any) -> bool:
    return user is not None and user.is_active and bool(user.email)


def _each_locked(queryset: QuerySet, batch: int, act: Callable[[Complaint], Any]) -> int:
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
