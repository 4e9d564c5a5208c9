"""A regulator's suspension of its complaint deadline for a class of complaints.

It happened in the UK: the FCA paused the 8-week final-response clock for motor-finance
complaints (PS24/1, later extended) until a date it named, and the rest of the 8 weeks ran after
it. A supervisor records one over the cases it covers; it moves only the regulator's promises
(REGULATORY_PROMISES) of those cases, never the internal targets, and writes a timeline entry on
each. Lifting it early moves them back to what the shorter suspension gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from complaints import casework, clock
from complaints import promise_records as promises
from complaints.actors import Actor
from complaints.choices import OPEN_STATES, REGULATORY_PROMISES
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import Complaint, Promise, RegulatorySuspension, SuspendedComplaint

PERMISSION = "complaints.suspend_regulatory_deadline"


def suspension_create(
    *,
    complaints: Iterable[Complaint],
    actor: Actor,
    reason: str,
    reference: str,
    starts_on: dt.date,
    until: dt.date,
) -> RegulatorySuspension:
    """Suspend the regulatory deadline of `complaints` from `starts_on` to the end of `until`."""
    user = _require_supervisor(actor)
    if not reason.strip() or not reference.strip():
        raise ComplaintError(_("Give the reason and the regulator's reference."))
    if until < starts_on:
        raise ComplaintError(_("The suspension cannot end before it starts."))
    ids = sorted({case.pk for case in complaints})
    if not ids:
        raise ComplaintError(_("Choose the complaints the suspension covers."))
    with transaction.atomic():
        suspension = RegulatorySuspension.objects.create(
            reason=reason.strip(),
            reference=reference.strip(),
            starts_on=starts_on,
            until=until,
            created_by=user,
            created_at=clock.now(),
        )
        for case in _locked(ids):
            if case.state not in OPEN_STATES:
                raise ComplaintError(
                    _("Complaint %(reference)s is closed: it has no deadline to suspend.")
                    % {"reference": case}
                )
            window = case.policy.calendar().suspension_window(starts_on, until)

            def shift_of(
                promise: Promise, window=window, received_at=case.received_at
            ) -> dt.timedelta:
                return clock.suspension_shift(
                    received_at=received_at, limit=promise.limit, window=window
                )

            moved = promises.promises_shift(
                case, REGULATORY_PROMISES, shift_of, reason=_suspension_reason(suspension)
            )
            # What the case's regulatory clock actually moved (nothing if its limit had passed
            # before the suspension began).
            shift = max((move.new - move.previous for move in moved), default=dt.timedelta(0))
            SuspendedComplaint.objects.create(
                suspension=suspension, complaint=case, moved_by=shift, suspended_until=window[1]
            )
            _mark(case, actor, suspension, moved, _("Regulatory deadline suspended"))
    return suspension


def suspension_lift(
    *, suspension: RegulatorySuspension, actor: Actor, last_day: dt.date | None = None
) -> RegulatorySuspension:
    """End the suspension early, after `last_day` (today by default): the regulator's clock runs
    again from then, and each case's regulatory promises move back by the time not suspended."""
    _require_supervisor(actor)
    with transaction.atomic():
        suspension = RegulatorySuspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.lifted_at is not None:
            raise ComplaintError(_("This suspension was already lifted."))
        covered = {row.complaint_id: row for row in suspension.covered.all()}
        for case in _locked(sorted(covered)):
            window = case.policy.calendar().suspension_window(
                suspension.starts_on,
                last_day or timezone.localdate(clock.now(), case.policy.calendar().tz),
            )
            if last_day is None:
                # Lifted today: the clock runs again from now, not from midnight.
                window = (window[0], max(window[0], clock.now()))
            if (
                window[1]
                >= case.policy.calendar().suspension_window(suspension.starts_on, suspension.until)[
                    1
                ]
            ):
                raise ComplaintError(
                    _("Lift a suspension before the date it runs until, or let it run out.")
                )
            row = covered[case.pk]
            moved = promises.promises_shift(
                case,
                REGULATORY_PROMISES,
                partial(_back_by, window=window, before=row.moved_by, received_at=case.received_at),
                reason=_("The regulator's suspension %(reference)s was lifted early.")
                % {"reference": suspension.reference},
            )
            row.moved_by += sum((move.new - move.previous for move in moved[:1]), dt.timedelta(0))
            row.suspended_until = window[1]
            row.save(update_fields=["moved_by", "suspended_until"])
            _mark(case, actor, suspension, moved, _("Regulatory suspension lifted"))
        suspension.lifted_at, suspension.lifted_by = clock.now(), actor.user
        suspension.save(update_fields=["lifted_at", "lifted_by"])
    return suspension


def _back_by(
    promise: Promise,
    *,
    window: tuple[dt.datetime, dt.datetime],
    before: dt.timedelta,
    received_at: dt.datetime,
) -> dt.timedelta:
    """Return how far the shorter suspension moves `promise` back (0 or less).

    Its limit before the suspension is its limit now less what the suspension moved it; the
    shorter window moves that original limit by less, and the difference goes back.
    """
    if not before:
        return dt.timedelta(0)
    original = promise.limit - before
    return clock.suspension_shift(received_at=received_at, limit=original, window=window) - before


def _locked(ids: list[int]) -> list[Complaint]:
    # In id order: two supervisors suspending overlapping sets take the locks in one order.
    return list(
        Complaint.objects.select_for_update(of=("self",))
        .select_related("policy")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _mark(
    case: Complaint,
    actor: Actor,
    suspension: RegulatorySuspension,
    moved: list[promises.Moved],
    title: str,
) -> None:
    """Store until when the case stands suspended and write its timeline entry."""
    calendar = case.policy.calendar()
    case.regulatory_suspended_until = max(
        SuspendedComplaint.objects.filter(complaint=case).values_list("suspended_until", flat=True),
        default=None,
    )
    Complaint.objects.filter(pk=case.pk).update(
        regulatory_suspended_until=case.regulatory_suspended_until
    )
    changes = " ".join(
        _("The %(promise)s deadline moves from %(previous)s to %(new)s.")
        % {
            "promise": str(promises.WHAT.get(move.kind, move.kind)),
            "previous": _when(calendar, move.previous),
            "new": _when(calendar, move.new),
        }
        for move in moved
    ) or _("No regulatory deadline moved.")
    casework.record_event(
        case,
        "regulatory_suspension",
        actor,
        from_state=case.state,
        note=f"{title}: {suspension.reference} ({suspension.starts_on:%Y-%m-%d} – "
        f"{suspension.until:%Y-%m-%d}). {suspension.reason} {changes}",
        public=False,
    )


def _suspension_reason(suspension: RegulatorySuspension) -> str:
    return _("The regulator suspended this deadline (%(reference)s): %(reason)s") % {
        "reference": suspension.reference,
        "reason": suspension.reason,
    }


def _when(calendar: clock.BusinessCalendar, moment: dt.datetime) -> str:
    return date_format(calendar.local(moment), "DATETIME_FORMAT")


def _require_supervisor(actor: Actor) -> Any:
    if actor.user is None or not actor.user.has_perm(PERMISSION):
        raise NotPermitted(_("Only supervisors suspend or lift a regulator's deadline."))
    return actor.user
