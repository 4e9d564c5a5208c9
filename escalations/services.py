"""Escalations: a review by someone senior who was not involved, ending in a final response."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaints import casework, clock, deadlines
from complaints.actors import Actor
from complaints.choices import State, TargetKind
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import Complaint
from escalations.models import Escalation
from notifications.models import Notification


def escalation_request(
    *, complaint: Complaint, actor: Actor, grounds: str, desired_outcome: str = ""
) -> Escalation:
    """Escalate the case for review; a complainant may do so only after the response, in time."""
    if not grounds.strip():
        raise ComplaintError(_("Say why you are not satisfied."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if case.escalations.filter(state=Escalation.State.DECIDED).exists():
            raise ComplaintError(
                _("Complaint %(reference)s already had its final response.") % {"reference": case}
            )
        if actor.is_complainant:
            if case.state != State.RESPONDED:
                raise NotPermitted(_("You can ask for a review once you have our response."))
            if case.escalate_until is not None and clock.now() > case.escalate_until:
                raise NotPermitted(_("The time to ask for a review of this response has passed."))
        now = clock.now()
        review = clock.deadline_for(case.policy, TargetKind.ESCALATION_REVIEW, now)

        def change(locked: Complaint) -> None:
            locked.escalate(at=now)
            locked.next_update_due = clock.moment_after(
                locked.policy, TargetKind.UPDATE_INTERVAL, now
            )
            deadlines.refresh_next(locked, review=review)

        case = casework.run_transition(case, "escalate", actor, change, note=grounds)
        escalation = Escalation.objects.create(
            complaint=case,
            requested_by=actor.kind,
            requested_by_user=actor.user,
            requested_at=now,
            grounds=grounds,
            desired_outcome=desired_outcome,
            review_aim=review and review.aim,
            review_by=review and review.limit,
        )
        casework.notify_complainant(
            case, Notification.Kind.ESCALATION_RECEIVED, key=str(escalation.pk)
        )
    return escalation


def escalation_decide(
    *,
    escalation: Escalation,
    actor: Actor,
    decision: str,
    reasoning: str,
    final_response: str,
) -> Escalation:
    """Record the reviewer's decision, send the final response and resolve the case."""
    if actor.user is None or not actor.user.has_perm("escalations.decide_escalation"):
        raise NotPermitted(_("Only supervisors decide escalations."))
    if not reasoning.strip() or not final_response.strip():
        raise ComplaintError(_("A decision needs its reasoning and the final response."))
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        now = clock.now()
        locked.decide(
            at=now,
            by=actor.user,
            decision=decision,
            reasoning=reasoning,
            final_response=final_response,
        )
        locked.save()

        def change(case: Complaint) -> None:
            case.close_escalation(at=now)
            deadlines.set_after_resolution(case)

        case = casework.run_transition(locked.complaint, "close_escalation", actor, change)
        casework.notify_complainant(case, Notification.Kind.FINAL_RESPONSE, key=str(locked.pk))
    return locked
