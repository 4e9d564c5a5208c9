"""Which deadlines a case carries and which one is next; the arithmetic itself is the clock's."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from complaints import clock
from complaints.choices import DeadlineKind, State, TargetKind

if TYPE_CHECKING:
    from complaints.models import Complaint


def set_on_receipt(complaint: Complaint) -> None:
    """Store every deadline a complaint gets when it is received."""
    policy, start = complaint.policy, complaint.received_at
    for kind, aim_field, limit_field in (
        (TargetKind.ACKNOWLEDGE, "acknowledge_aim", "acknowledge_by"),
        (TargetKind.FIRST_RESPONSE, "respond_aim", "respond_by"),
        (resolve_target(complaint), "resolve_aim", "resolve_by"),
    ):
        deadline = clock.deadline_for(policy, kind, start)
        setattr(complaint, aim_field, deadline and deadline.aim)
        setattr(complaint, limit_field, deadline and deadline.limit)
    complaint.next_update_due = clock.moment_after(policy, TargetKind.UPDATE_INTERVAL, start)
    refresh_next(complaint)


def resolve_target(complaint: Complaint) -> str:
    if complaint.is_complex and complaint.policy.target(TargetKind.COMPLEX_RESOLVE):
        return TargetKind.COMPLEX_RESOLVE
    return TargetKind.RESOLVE


def complex_resolve_by(complaint: Complaint) -> clock.Deadline | None:
    """Return the full-response deadline the policy allows a complex case, from receipt."""
    return clock.deadline_for(complaint.policy, TargetKind.COMPLEX_RESOLVE, complaint.received_at)


def set_after_response(complaint: Complaint) -> None:
    policy, at = complaint.policy, complaint.responded_at
    complaint.escalate_until = clock.moment_after(policy, TargetKind.ESCALATION_WINDOW, at)
    complaint.auto_resolve_at = clock.moment_after(policy, TargetKind.AUTO_CLOSE, at)
    refresh_next(complaint)


def set_after_resolution(complaint: Complaint) -> None:
    complaint.reopen_until = clock.moment_after(
        complaint.policy, TargetKind.REOPEN_WINDOW, complaint.resolved_at
    )
    complaint.next_update_due = None
    refresh_next(complaint)


def schedule_next_update(complaint: Complaint, *, after: dt.datetime | None) -> None:
    """Restart the progress-update clock: any message to the complainant counts as an update."""
    if complaint.is_open and complaint.state != State.RESPONDED:
        complaint.next_update_due = clock.moment_after(
            complaint.policy, TargetKind.UPDATE_INTERVAL, after
        )
    else:
        complaint.next_update_due = None


def refresh_next(complaint: Complaint, *, review: clock.Deadline | None = None) -> None:
    """Store the earliest deadline still to meet, and from when it counts as due soon.

    While escalated, the review deadline of the open escalation (`review`) is the one that counts;
    a responded case waits on the complainant, and a closed one owes nothing.
    """
    pending: list[tuple[str, dt.datetime | None, dt.datetime]] = []
    if complaint.state == State.ESCALATED:
        if review is not None:
            pending.append((DeadlineKind.REVIEW, review.aim, review.limit))
    elif complaint.state in (State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING):
        if complaint.acknowledged_at is None and complaint.acknowledge_by:
            pending.append(
                (DeadlineKind.ACKNOWLEDGE, complaint.acknowledge_aim, complaint.acknowledge_by)
            )
        if complaint.first_responded_at is None and complaint.respond_by:
            pending.append((DeadlineKind.RESPOND, complaint.respond_aim, complaint.respond_by))
        if complaint.responded_at is None and complaint.resolve_by:
            pending.append((DeadlineKind.RESOLVE, complaint.resolve_aim, complaint.resolve_by))
    if not pending:
        complaint.next_deadline = complaint.due_soon_at = None
        complaint.next_deadline_kind = ""
        return
    kind, aim, limit = min(pending, key=lambda item: item[2])
    complaint.next_deadline, complaint.next_deadline_kind = limit, kind
    complaint.due_soon_at = clock.due_soon_at(
        clock.Deadline(limit=limit, aim=aim), warning_hours=complaint.policy.warning_hours
    )
