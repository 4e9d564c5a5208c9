"""Which deadlines a case carries and which one is next; the arithmetic itself is the clock's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaints import clock
from complaints.choices import DeadlineKind, TargetKind

if TYPE_CHECKING:
    from complaints.models import Complaint


def set_on_receipt(complaint: Complaint) -> None:
    """Store the first deadlines a complaint gets when it is received (reports read these).

    The promises themselves, with their alerts and how they were kept, are the Promise rows
    (complaints.promise_records), made once the complaint is saved.
    """
    policy, start = complaint.policy, complaint.received_at
    for kind, aim_field, limit_field in (
        (TargetKind.ACKNOWLEDGE, "acknowledge_aim", "acknowledge_by"),
        (TargetKind.FIRST_RESPONSE, "respond_aim", "respond_by"),
        (resolve_target(complaint), "resolve_aim", "resolve_by"),
    ):
        deadline = clock.deadline_for(policy, kind, start)
        setattr(complaint, aim_field, deadline and deadline.aim)
        setattr(complaint, limit_field, deadline and deadline.limit)


def set_after_receipt_moved(complaint: Complaint) -> None:
    """Count the stored deadlines and report figures from a receipt that moved earlier (a
    duplicate received first was merged into the case: complaints.related).

    An acknowledgement that went out keeps its date, and a full-response deadline a person
    extended keeps the date the complainant was told; the business days to acknowledge and to
    close count from the new receipt, as the reports' time bands do.
    """
    policy, start = complaint.policy, complaint.received_at
    moving: list[tuple[str, str, str]] = [(TargetKind.FIRST_RESPONSE, "respond_aim", "respond_by")]
    if complaint.acknowledged_at is None:
        moving.append((TargetKind.ACKNOWLEDGE, "acknowledge_aim", "acknowledge_by"))
    if not complaint.extensions.filter(deadline=DeadlineKind.RESOLVE).exists():
        moving.append((resolve_target(complaint), "resolve_aim", "resolve_by"))
    for kind, aim_field, limit_field in moving:
        deadline = clock.deadline_for(policy, kind, start)
        setattr(complaint, aim_field, deadline and deadline.aim)
        setattr(complaint, limit_field, deadline and deadline.limit)
    if complaint.acknowledged_at is not None:
        complaint.business_days_to_acknowledge = complaint.business_days_since_receipt(
            complaint.acknowledged_at
        )
    if complaint.closed_at is not None:
        complaint.business_days_to_close = complaint.business_days_since_receipt(
            complaint.closed_at
        )


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


def set_after_resolution(complaint: Complaint) -> None:
    complaint.reopen_until = clock.moment_after(
        complaint.policy, TargetKind.REOPEN_WINDOW, complaint.resolved_at
    )
