"""Escalations: a review by someone senior who was not involved, ending in a final response.

Who decides: the reviewer assigned to the escalation, and nobody else; a supervisor who wants
to take over an assigned review reassigns it to themselves first, which checks their
independence and leaves a timeline entry. An escalation nobody was assigned to yet may be
decided by any supervisor, who then becomes its reviewer. Either way the decider holds
`escalations.decide_escalation` and was never involved in the case (see `selectors.involvement`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaints import casework, clock, deadlines
from complaints.actors import SYSTEM, Actor
from complaints.choices import DeadlineKind, Remedy, State, TargetKind
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import Complaint
from escalations import selectors
from escalations.models import Escalation
from notifications.models import Notification
from notifications.preferences import wants_email
from notifications.services import notification_enqueue

REVIEW_ASSIGNED = Notification.Kind.STAFF_REVIEW_ASSIGNED

logger = logging.getLogger(__name__)

AUTO_ESCALATE_BATCH = 200


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
            # While escalated the review is the case's only deadline, so the case's due-soon
            # moment, worked out by refresh_next, is the review's.
            due_soon_at=case.due_soon_at if review else None,
        )
        casework.notify_complainant(
            case,
            Notification.Kind.ESCALATION_RECEIVED,
            key=str(escalation.pk),
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
        locked.save()
        casework.record_event(
            locked.complaint,
            "escalation_reviewer_assigned",
            actor,
            from_state=locked.complaint.state,
            note=str(Actor.staff(reviewer)),
            public=False,
        )
        if reviewer.email and reviewer != actor.user and wants_email(reviewer, REVIEW_ASSIGNED):
            notification_enqueue(
                complaint=locked.complaint,
                kind=REVIEW_ASSIGNED,
                recipient=reviewer.email,
                recipient_user=reviewer,
                language=settings.LANGUAGE_CODE,
                dedupe_key=f"{locked.complaint_id}:{REVIEW_ASSIGNED}:{locked.pk}:{reviewer.pk}",
                context={
                    "deadline_at": locked.review_by.isoformat() if locked.review_by else "",
                },
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
    with transaction.atomic():
        locked = _lock(escalation)
        check_decider(locked, actor.user)
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
        locked.save()

        def change(case: Complaint) -> None:
            case.close_escalation(at=now)
            if revised_remedies:
                case.remedies = list(revised_remedies)
            if revised_redress_amount is not None:
                case.redress_amount = revised_redress_amount
                case.redress_currency = case.redress_currency or settings.REDRESS_DEFAULT_CURRENCY
            deadlines.set_after_resolution(case)

        case = casework.run_transition(
            locked.complaint, "close_escalation", actor, change, note=locked.get_decision_display()
        )
        casework.notify_complainant(
            case,
            Notification.Kind.FINAL_RESPONSE,
            key=str(locked.pk),
            context=final_response_context(locked, case),
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
    policy = case.policy
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
        "external_routes": policy.external_routes,
        "external_route_time_limit": policy.external_route_time_limit,
        "decided_at": escalation.decided_at.isoformat(),
    }


def escalations_auto_escalate_breached(now: dt.datetime) -> int:
    """Escalate open cases whose full-response deadline passed, where the policy says so.

    Return how many were escalated. Each case is claimed in its own transaction: on PostgreSQL
    with SKIP LOCKED, so a second worker passes over it; elsewhere the transition itself is the
    claim, and the slower worker is told the case changed and moves on.
    """
    due = list(
        Complaint.objects.filter(
            state__in=[State.ACKNOWLEDGED, State.INVESTIGATING],
            next_deadline_kind=DeadlineKind.RESOLVE,
            next_deadline__lt=now,
            policy__auto_escalate_on_breach=True,
        )
        .exclude(escalations__state=Escalation.State.DECIDED)
        .order_by("next_deadline")
        .values_list("pk", flat=True)[:AUTO_ESCALATE_BATCH]
    )
    done = 0
    for pk in due:
        try:
            done += _auto_escalate(pk, now)
        except ComplaintError as exc:
            logger.info("Complaint %s was not escalated automatically: %s", pk, exc)
    return done


def _auto_escalate(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        claim = Complaint.objects.filter(
            pk=pk,
            state__in=[State.ACKNOWLEDGED, State.INVESTIGATING],
            next_deadline_kind=DeadlineKind.RESOLVE,
            next_deadline__lt=now,
        )
        if connection.features.has_select_for_update_skip_locked:
            claim = claim.select_for_update(skip_locked=True)
        case = claim.first()
        if case is None:
            return False
        escalation_request(
            complaint=case,
            actor=SYSTEM,
            grounds=_("The full-response deadline of %(deadline)s passed.")
            % {"deadline": f"{case.policy.calendar().local(case.resolve_by):%Y-%m-%d %H:%M %Z}"},
        )
    return True


def check_decider(escalation: Escalation, user) -> None:
    """Refuse `user` as the decider of `escalation`, saying why (see the module's rule)."""
    if escalation.reviewer_id is not None and escalation.reviewer_id != user.pk:
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
