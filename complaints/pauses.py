"""Pausing the internal targets while we wait on the complainant (a policy setting).

Traps:
- Only the organisation's own targets pause (first response, full response, review). The
  regulator's promises (REGULATORY_PROMISES) run on from receipt whatever we wait for, and
  progress updates keep going so the complainant still hears from us.
- A pause is measured in the policy's business calendar (complaints.clock): a pause from
  Friday afternoon to Monday morning costs one business day, not three calendar days.
- Each function here runs inside the caller's transaction, on the row the caller locked.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import casework, clock, outbox
from complaints import promise_records as promises
from complaints.actors import Actor
from complaints.choices import DeadlineKind, PromiseKind
from complaints.models import ClockPause, Complaint, DeadlineExtension
from notifications.models import Notification

# The targets a pause stops: the organisation's own, never the regulator's.
PAUSABLE = (PromiseKind.FIRST_RESPONSE, PromiseKind.FULL_RESPONSE, PromiseKind.REVIEW)
REASON = gettext_lazy("Waiting for information from the complainant")


def clock_pause(case: Complaint, *, actor: Actor, at: dt.datetime) -> ClockPause | None:
    """Stop the case's internal targets, if its policy says so and they are not stopped."""
    if not case.policy.pause_while_awaiting_complainant or case.clock_paused_at is not None:
        return None
    pause = ClockPause.objects.create(
        complaint=case, reason=str(REASON), started_at=at, started_by=actor.user
    )
    promises.promises_pause(case, PAUSABLE, at=at)
    case.clock_paused_at = at
    Complaint.objects.filter(pk=case.pk).update(clock_paused_at=at)
    casework.record_event(
        case,
        "clock_paused",
        actor,
        from_state=case.state,
        note=_("Clock paused: %(reason)s.") % {"reason": REASON},
        public=False,
    )
    return pause


def clock_resume(
    case: Complaint, *, actor: Actor, how: str, at: dt.datetime | None = None
) -> ClockPause | None:
    """Start the paused targets again, each moved later by the business time paused.

    When the complainant replied or staff resumed it, the complainant is told the new date of
    the full response the way an extension tells them; when the case moved on (responded,
    escalated, closed) the dates move silently, since what they promised has been done or ended.
    """
    pause = ClockPause.objects.filter(complaint=case, ended_at__isnull=True).first()
    if pause is None:
        return None
    at = at or clock.now()
    # The complainant reads the reason (in the next update, or the extension's email).
    with translation.override(case.language):
        reason = _(
            "The clock stood still from %(start)s to %(end)s while we waited for your reply."
        ) % {"start": _when(case, pause.started_at), "end": _when(case, at)}
    moved = promises.promises_resume(case, at=at, reason=reason)
    pause.ended_at, pause.ended_how, pause.ended_by = at, how, actor.user
    pause.save(update_fields=["ended_at", "ended_how", "ended_by"])
    case.clock_paused_at = None
    Complaint.objects.filter(pk=case.pk).update(clock_paused_at=None)
    notes = [
        _("Clock resumed: the %(promise)s deadline moves from %(previous)s to %(new)s.")
        % {
            "promise": PromiseKind(move.kind).label.lower(),
            "previous": _when(case, move.previous),
            "new": _when(case, move.new),
        }
        for move in moved
    ]
    casework.record_event(
        case,
        "clock_resumed",
        actor,
        from_state=case.state,
        note=" ".join(notes) or _("Clock resumed: no deadline moved."),
        public=False,
    )
    full = next((move for move in moved if move.kind == PromiseKind.FULL_RESPONSE), None)
    if full is not None and how != ClockPause.End.CLOSED:
        _tell_complainant(case, actor, full, reason)
    return pause


def _tell_complainant(case: Complaint, actor: Actor, move: promises.Moved, reason: str) -> None:
    """Record the new date as an extension and tell the complainant, as an extension does."""
    extension = DeadlineExtension.objects.create(
        complaint=case,
        deadline=DeadlineKind.RESOLVE,
        previous=move.previous,
        new=move.new,
        reason=reason,
        actor=actor.user,
        created_at=clock.now(),
    )
    before = casework.snapshot(case)
    case.resolve_by = move.new
    casework.save_changes(case, before)
    outbox.notify_complainant(
        case,
        Notification.Kind.DEADLINE_EXTENDED,
        occurrence=outbox.for_record("extension", extension.pk),
        context={"extension_id": extension.pk},
    )


def _when(case: Complaint, moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment, case.policy.calendar().tz), "DATETIME_FORMAT")
