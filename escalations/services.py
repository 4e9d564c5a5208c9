"""Escalations: a review by someone senior who was not involved, ending in a final response.

Who decides: the reviewer assigned to the escalation, and nobody else; a supervisor who wants
to take over an assigned review reassigns it to themselves first, which checks their
independence and leaves a timeline entry. An escalation nobody was assigned to yet may be
decided by any supervisor, who then becomes its reviewer. Either way the decider holds
`escalations.decide_escalation` and was never involved in the case (see `selectors.involvement`).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaints import casework, clock, deadlines, ledger, outbox, pauses
from complaints import promise_records as promises
from complaints.actors import Actor
from complaints.choices import PromiseKind, Remedy, State, TargetKind
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import ClockPause, Complaint
from escalations import selectors
from escalations.choices import OPEN_STATES
from escalations.models import Escalation
from notifications.models import Notification
from notifications.preferences import wants_email
from notifications.services import notifications_enqueue

REVIEW_ASSIGNED = Notification.Kind.STAFF_REVIEW_ASSIGNED

logger = logging.getLogger(__name__)

# What deciding an escalation changes (Escalation.decide).
DECISION_FIELDS = [
    "state",
    "decided_at",
    "decided_by",
    "reviewer",
    "decision",
    "reasoning",
    "final_response",
    "revised_remedies",
    "revised_redress_amount",
    "external_routes",
    "external_route_time_limit",
]
# Retention: what an escalation holds about the complainant.
PERSONAL_FIELDS = ["grounds", "desired_outcome", "reasoning", "final_response"]


def escalation_request(
    *, complaint: Complaint, actor: Actor, grounds: str, desired_outcome: str = ""
) -> Escalation:
    """Escalate the case for review; a complainant may do so only after the response, in time.

    Staff (and the system, on a breached deadline) escalate from any open state after receipt.
    """
    if not grounds.strip():
        raise ComplaintError(_("Say why you are not satisfied."))
    if actor.is_staff and (
        actor.user is None or not actor.user.has_perm("escalations.add_escalation")
    ):
        raise NotPermitted(_("Only case handlers and supervisors escalate a case."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if case.escalations.filter(state=Escalation.State.DECIDED).exists():
            raise ComplaintError(
                _(
                    "Complaint %(reference)s already had its final response after a review; "
                    "it cannot be escalated again."
                )
                % {"reference": case}
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

        case = casework.run_transition(case, "escalate", actor, change, note=grounds)
        pauses.clock_resume(case, actor=actor, how=ClockPause.End.CLOSED, at=now)
        # The review replaces the responses still owed; updates go on while it runs.
        promises.promises_release(
            case, at=now, kinds=[PromiseKind.FIRST_RESPONSE, PromiseKind.FULL_RESPONSE]
        )
        review_promise = promises.promise_make(case, PromiseKind.REVIEW, review, at=now)
        promises.promises_resume_updates(case, at=now)
        escalation = Escalation.objects.create(
            complaint=case,
            requested_by=actor.kind,
            requested_by_user=actor.user,
            requested_at=now,
            grounds=grounds,
            desired_outcome=desired_outcome,
            review_aim=review and review.aim,
            review_by=review and review.limit,
            due_soon_at=review_promise.due_soon_at if review_promise else None,
        )
        outbox.notify_complainant(
            case,
            Notification.Kind.ESCALATION_RECEIVED,
            occurrence=outbox.for_event(case.transition_event),
            context={
                "escalation_id": escalation.pk,
                "requested_by": actor.kind,
                "review_by": review.limit.isoformat() if review else None,
            },
        )
    return escalation


def escalation_assign_reviewer(*, escalation: Escalation, actor: Actor, reviewer) -> Escalation:
    """Give the review to an independent supervisor and start it (or hand it over)."""
    _require_supervisor(actor, _("Only supervisors assign reviewers."))
    with transaction.atomic():
        locked = _lock(escalation)
        _require_independent(locked, reviewer)
        locked.start_review(at=clock.now(), reviewer=reviewer)
        locked.save(update_fields=["state", "reviewer", "review_started_at"])
        promises.promise_set_owner(locked.complaint, PromiseKind.REVIEW, reviewer)
        event = casework.record_event(
            locked.complaint,
            "escalation_reviewer_assigned",
            actor,
            from_state=locked.complaint.state,
            note=str(Actor.staff(reviewer)),
            public=False,
        )
        if reviewer.email and reviewer != actor.user and wants_email(reviewer, REVIEW_ASSIGNED):
            review_by = locked.review_by
            notifications_enqueue(
                [
                    outbox.to_staff(
                        locked.complaint,
                        REVIEW_ASSIGNED,
                        reviewer,
                        occurrence=outbox.for_event(event),
                        context={"deadline_at": review_by.isoformat() if review_by else ""},
                    )
                ]
            )
    return locked


def escalation_decide(
    *,
    escalation: Escalation,
    actor: Actor,
    decision: str,
    reasoning: str,
    final_response: str,
    revised_remedies: list[str] | tuple[str, ...] = (),
    revised_redress_amount: Decimal | None = None,
) -> Escalation:
    """Record the reviewer's decision, send the final response and resolve the case.

    A changed decision replaces the case's remedies (and its redress amount, when one is given);
    the case's history keeps the original response.
    """
    _require_supervisor(actor, _("Only supervisors decide escalations."))
    _check_decision(decision, reasoning, final_response, revised_remedies, revised_redress_amount)
    offer = None
    with transaction.atomic():
        locked = _lock(escalation)
        check_decider(locked, actor.user)
        if revised_redress_amount:
            # The revised redress is an offer in the ledger; above the decider's approval limit
            # it is recorded and waits for a second approver, and so does the decision.
            complaint = locked.complaint
            offer = ledger.offer_for_response(
                casework.lock(complaint),
                actor,
                amount=revised_redress_amount,
                currency=complaint.redress_currency or settings.REDRESS_DEFAULT_CURRENCY,
                kind=ledger.kind_for(tuple(revised_remedies or complaint.remedies)),
                held_response=None,
            )
        if offer is None or not offer.is_awaiting:
            now = clock.now()
            locked.decide(
                at=now,
                by=actor.user,
                decision=decision,
                reasoning=reasoning,
                final_response=final_response,
                revised_remedies=revised_remedies,
                revised_redress_amount=revised_redress_amount,
            )
            locked.save(update_fields=DECISION_FIELDS)

            def change(case: Complaint) -> None:
                case.close_escalation(at=now)
                if revised_remedies:
                    case.remedies = list(revised_remedies)
                if revised_redress_amount is not None:
                    case.redress_amount = revised_redress_amount
                    case.redress_currency = (
                        case.redress_currency or settings.REDRESS_DEFAULT_CURRENCY
                    )
                deadlines.set_after_resolution(case)

            case = casework.run_transition(
                locked.complaint,
                "close_escalation",
                actor,
                change,
                note=locked.get_decision_display(),
            )
            # Checked as it would be sent (complaints.rulepacks.check): a refusal rolls back
            # the decision too.
            outbox.notify_complainant_checked(
                case,
                Notification.Kind.FINAL_RESPONSE,
                occurrence=outbox.for_event(case.transition_event),
                context=final_response_context(locked, case),
            )
            if offer is not None:
                ledger.offer_communicate(offer, at=now)
            promises.promises_release(case, at=now)
    if offer is not None and offer.is_awaiting:
        raise ComplaintError(
            _(
                "The revised redress of %(amount)s %(currency)s is above your approval limit: "
                "it is recorded in the case's redress ledger and waits for a colleague whose "
                "limit covers it. Decide again once it is approved."
            )
            % {"amount": offer.amount, "currency": offer.currency}
        )
    return locked


def final_response_context(escalation: Escalation, case: Complaint) -> dict:
    """Return what the final response email says, fixed when it is decided.

    The policy's external routes are copied, not referenced: a policy edited later must not
    change what the complainant was told.
    """
    with translation.override(case.language):
        decision_label = str(escalation.get_decision_display())
        remedy_labels = [str(Remedy(value).label) for value in case.remedies]
    return {
        "escalation_id": escalation.pk,
        "language": case.language,
        "decision": escalation.decision,
        "decision_label": decision_label,
        "reasoning": escalation.reasoning,
        "final_response": escalation.final_response,
        "response_changed": escalation.changes_response,
        "remedies": list(case.remedies),
        "remedy_labels": remedy_labels,
        "redress_amount": None if case.redress_amount is None else str(case.redress_amount),
        "redress_currency": case.redress_currency,
        "external_routes": escalation.external_routes,
        "external_route_time_limit": escalation.external_route_time_limit,
        "decided_at": escalation.decided_at.isoformat() if escalation.decided_at else None,
    }


def escalations_end_on_withdrawal(*, complaint: Complaint) -> int:
    """End the case's open review undecided: its complaint was withdrawn; return how many.

    Called by complaints.services.complaint_withdraw through complaints.reviews (registered in
    EscalationsConfig.ready), inside the withdrawal's transaction.
    """
    done = 0
    for escalation in Escalation.objects.select_for_update().filter(
        complaint=complaint, state__in=OPEN_STATES
    ):
        escalation.withdraw()
        escalation.save(update_fields=["state"])
        done += 1
    return done


def escalations_erase(*, complaint_id: int) -> int:
    """Blank the personal data of one case's escalations and of their history; return how many.

    Called by complaints.retention inside the anonymisation's transaction (registered in
    EscalationsConfig.ready).
    """
    blanks = dict.fromkeys(PERSONAL_FIELDS, "")
    Escalation.history.filter(complaint_id=complaint_id).update(**blanks)
    return Escalation.objects.filter(complaint_id=complaint_id).update(**blanks)


def check_decider(escalation: Escalation, user) -> None:
    """Refuse `user` as the decider of `escalation`, saying why (see the module's rule)."""
    if escalation.reviewer is not None and escalation.reviewer_id != user.pk:
        raise NotPermitted(
            _(
                "%(reviewer)s reviews this escalation: only they can decide it. "
                "Assign the review to yourself first."
            )
            % {"reviewer": Actor.staff(escalation.reviewer)}
        )
    _require_independent(escalation, user)


def _lock(escalation: Escalation) -> Escalation:
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("complaint__policy", "reviewer")
        .get(pk=escalation.pk)
    )
    if locked.state == Escalation.State.DECIDED:
        raise ComplaintError(
            _("The escalation of complaint %(reference)s is already decided.")
            % {"reference": locked.complaint}
        )
    if locked.state != escalation.state:
        raise ComplaintError(
            _(
                "The escalation of complaint %(reference)s changed meanwhile (it is now "
                "%(state)s). Reload it and try again."
            )
            % {"reference": locked.complaint, "state": locked.get_state_display()}
        )
    return locked


def _require_supervisor(actor: Actor, message: str) -> None:
    if actor.user is None or not actor.user.has_perm("escalations.decide_escalation"):
        raise NotPermitted(message)


def _require_independent(escalation: Escalation, user) -> None:
    """Refuse anyone who handled the case or wrote about it, naming how they were involved."""
    complaint = escalation.complaint
    name = str(Actor.staff(user))
    if not user.is_active or not user.has_perm("escalations.decide_escalation"):
        raise NotPermitted(
            _("%(name)s cannot review complaint %(reference)s: they are not a supervisor.")
            % {"name": name, "reference": complaint}
        )
    how = selectors.involvement(complaint).get(user.pk)
    if how is not None:
        raise NotPermitted(
            _(
                "%(name)s cannot review complaint %(reference)s: they %(how)s. "
                "The review must be independent of the first investigation."
            )
            % {"name": name, "reference": complaint, "how": how}
        )


def _check_decision(
    decision: str,
    reasoning: str,
    final_response: str,
    revised_remedies,
    revised_redress_amount: Decimal | None,
) -> None:
    if decision not in Escalation.Decision.values:
        raise ComplaintError(_("Choose a decision: upheld, changed or partly changed."))
    if not (reasoning or "").strip():
        raise ComplaintError(_("A decision needs its reasoning."))
    if not (final_response or "").strip():
        raise ComplaintError(_("A decision needs the final response to the complainant."))
    unknown = [value for value in revised_remedies if value not in Remedy.values]
    if unknown:
        raise ComplaintError(
            _("Unknown remedy: %(values)s.") % {"values": ", ".join(map(str, unknown))}
        )
    if revised_redress_amount is not None and revised_redress_amount < 0:
        raise ComplaintError(_("A redress amount cannot be negative."))
    revised = bool(revised_remedies) or revised_redress_amount is not None
    if decision == Escalation.Decision.UPHELD and revised:
        raise ComplaintError(
            _("An upheld response keeps its remedies: choose changed or partly changed.")
        )
    if decision != Escalation.Decision.UPHELD and not revised:
        raise ComplaintError(
            _("A changed response needs its revised remedies or a revised redress amount.")
        )
