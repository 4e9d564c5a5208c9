"""The reviewer of an escalation never is someone who handled the case or wrote about it."""

import pytest

from complaints import services
from complaints.actors import Actor
from complaints.choices import State
from complaints.exceptions import NotPermitted
from escalations import selectors
from escalations.models import Escalation
from escalations.services import (
    escalation_assign_reviewer,
    escalation_decide,
    escalation_request,
)
from tests.cases import case_in
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.escalation_people"]


def case_in_escalation(case, handler):
    """Escalate a case in the middle of its investigation, as staff may."""
    case.refresh_from_db()
    escalation_request(complaint=case, actor=Actor.staff(handler), grounds="A senior view.")
    case.refresh_from_db()
    return case


def assign(case, *, by, reviewer):
    return escalation_assign_reviewer(
        escalation=case.escalations.get(), actor=Actor.staff(by), reviewer=reviewer
    )


def decide(escalation, by):
    return escalation_decide(
        escalation=escalation,
        actor=Actor.staff(by),
        decision=Escalation.Decision.UPHELD,
        reasoning="The refund matched the charge.",
        final_response="We stand by our response.",
    )


def test_it_refuses_the_supervisor_who_handles_the_case(policy, sam, uma):
    case = case_in(State.ESCALATED, handler=sam)
    with pytest.raises(NotPermitted, match="Sam Okafor cannot review .*: they are its handler"):
        assign(case, by=uma, reviewer=sam)
    assert case.escalations.get().state == Escalation.State.REQUESTED


INVOLVEMENTS = {
    "handled it before": lambda case, sam, hana: services.complaint_assign(
        complaint=services.complaint_assign(complaint=case, actor=Actor.staff(hana), handler=sam),
        actor=Actor.staff(hana),
        handler=hana,
    ),
    "wrote to the complainant about it": lambda case, sam, hana: services.complaint_send_message(
        complaint=case, actor=Actor.staff(sam), body="We are on it."
    ),
    "wrote an internal note on it": lambda case, sam, hana: services.complaint_add_note(
        complaint=case, actor=Actor.staff(sam), body="Check the ledger."
    ),
    "worked on it": lambda case, sam, hana: services.complaint_mark_complex(
        complaint=case, actor=Actor.staff(sam), reason="Three banks involved."
    ),
}


@pytest.mark.parametrize("how", INVOLVEMENTS)
def test_it_refuses_a_supervisor_found_in_the_cases_history(policy, hana, sam, uma, how):
    case = case_in(State.INVESTIGATING, handler=hana)
    INVOLVEMENTS[how](case, sam, hana)
    case = case_in_escalation(case, hana)
    with pytest.raises(NotPermitted, match=f"Sam Okafor cannot review .*: they {how}"):
        assign(case, by=uma, reviewer=sam)
    assert uma in selectors.eligible_reviewers(case)
    assert sam not in selectors.eligible_reviewers(case)


def test_it_refuses_a_handler_as_reviewer(policy, hana, uma):
    case = case_in(State.ESCALATED, handler=uma)
    other = HandlerFactory(username="olga", first_name="Olga", last_name="Roth")
    with pytest.raises(NotPermitted, match="Olga Roth cannot review .*: they are not a supervisor"):
        assign(case, by=uma, reviewer=other)


def test_it_lets_only_supervisors_assign_a_reviewer(policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    with pytest.raises(NotPermitted, match="Only supervisors assign reviewers"):
        assign(case, by=hana, reviewer=uma)


def test_it_starts_the_review_with_an_uninvolved_supervisor(policy, hana, sam, uma):
    case = case_in(State.ESCALATED, handler=sam)
    escalation = assign(case, by=sam, reviewer=uma)
    assert escalation.state == Escalation.State.UNDER_REVIEW
    assert escalation.reviewer == uma and escalation.review_started_at is not None
    entry = case.events.get(action="escalation_reviewer_assigned")
    assert entry.actor == sam and entry.note == "Uma Berg" and not entry.is_public


def test_it_lists_only_independent_supervisors_as_eligible_reviewers(policy, hana, sam, uma):
    case = case_in(State.ESCALATED, handler=sam)
    SupervisorFactory(username="vic", is_active=False)
    assert list(selectors.eligible_reviewers(case)) == [uma]


def test_it_refuses_an_involved_supervisor_deciding_an_unassigned_escalation(policy, sam, uma):
    case = case_in(State.ESCALATED, handler=sam)
    with pytest.raises(NotPermitted, match="they are its handler"):
        decide(case.escalations.get(), sam)
    decided = decide(case.escalations.get(), uma)
    assert decided.reviewer == uma and decided.decided_by == uma


def test_it_lets_only_the_assigned_reviewer_decide(policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    vic = SupervisorFactory(username="vic", first_name="Vic", last_name="Hale")
    escalation = assign(case, by=vic, reviewer=uma)
    with pytest.raises(NotPermitted, match="Uma Berg reviews this escalation: only they"):
        decide(escalation, vic)
    escalation = assign(case, by=vic, reviewer=vic)
    assert decide(escalation, vic).decided_by == vic
