"""A supervisor's decision: the final response, the revised remedy and the external routes."""

from decimal import Decimal

import pytest

from complaints import services
from complaints.actors import Actor
from complaints.choices import Remedy, State
from complaints.exceptions import ComplaintError, NotPermitted
from escalations.models import Escalation
from escalations.services import escalation_decide, escalation_request
from notifications.models import Notification
from tests.cases import case_in
from tests.factories import HandlerFactory, PolicyFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.escalation_people"]

ROUTES = "The Financial Ombudsman Service, www.financial-ombudsman.org.uk."
TIME_LIMIT = "within six months of the date of our final response"


@pytest.fixture
def ombudsman_policy(db):
    return PolicyFactory(
        is_default=True, external_routes=ROUTES, external_route_time_limit=TIME_LIMIT
    )


def decide(escalation, actor, **overrides):
    fields = {
        "decision": Escalation.Decision.UPHELD,
        "reasoning": "The refund matched the duplicate charge.",
        "final_response": "Having reviewed your case, we stand by our response.",
    }
    return escalation_decide(escalation=escalation, actor=Actor.staff(actor), **fields | overrides)


def test_it_refuses_a_handler_deciding(ombudsman_policy, hana):
    case = case_in(State.ESCALATED, handler=hana)
    other = HandlerFactory(username="olga")
    with pytest.raises(NotPermitted, match="Only supervisors decide escalations"):
        decide(case.escalations.get(), other)
    case.refresh_from_db()
    assert case.state == State.ESCALATED
    assert case.escalations.get().state == Escalation.State.REQUESTED


def test_it_resolves_the_case_with_a_final_response_in_the_complainants_language(
    ombudsman_policy, hana, uma
):
    case = case_in(State.ESCALATED, handler=hana, language="de")
    escalation = decide(case.escalations.get(), uma)
    case.refresh_from_db()
    assert case.state == State.RESOLVED and case.reopen_until is not None
    assert case.next_deadline is None
    notice = Notification.objects.get(kind=Notification.Kind.FINAL_RESPONSE)
    assert notice.recipient == "rosa@example.com" and notice.language == "de"
    assert notice.context | {"decided_at": None, "keeps": None} == {
        "keeps": None,
        "escalation_id": escalation.pk,
        "language": "de",
        "decision": "upheld",
        "decision_label": "Ursprüngliche Stellungnahme bestätigt",
        "reasoning": "The refund matched the duplicate charge.",
        "final_response": "Having reviewed your case, we stand by our response.",
        "response_changed": False,
        "remedies": [Remedy.REFUND],
        "remedy_labels": ["Erstattung"],
        "redress_amount": "9.99",
        "redress_currency": "EUR",
        "external_routes": ROUTES,
        "external_route_time_limit": TIME_LIMIT,
        "decided_at": None,
    }
    assert case.events.filter(action="close_escalation", actor=uma).exists()


def test_it_changes_the_response_and_keeps_the_original_in_the_history(ombudsman_policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    escalation = decide(
        case.escalations.get(),
        uma,
        decision=Escalation.Decision.CHANGED,
        revised_remedies=[Remedy.REFUND, Remedy.APOLOGY],
        revised_redress_amount=Decimal("50.00"),
    )
    case.refresh_from_db()
    assert case.remedies == [Remedy.REFUND, Remedy.APOLOGY]
    assert case.redress_amount == Decimal("50.00")
    assert escalation.revised_remedies == [Remedy.REFUND, Remedy.APOLOGY]
    before = case.history.filter(state=State.ESCALATED).earliest("history_date")
    assert before.remedies == [Remedy.REFUND] and before.redress_amount == Decimal("9.99")
    context = Notification.objects.get(kind=Notification.Kind.FINAL_RESPONSE).context
    assert context["response_changed"] is True and context["redress_amount"] == "50.00"


def test_it_keeps_the_remedies_when_only_the_redress_is_partly_changed(ombudsman_policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    decide(
        case.escalations.get(),
        uma,
        decision=Escalation.Decision.PARTLY_CHANGED,
        revised_redress_amount=Decimal("20.00"),
    )
    case.refresh_from_db()
    assert case.remedies == [Remedy.REFUND] and case.redress_amount == Decimal("20.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reasoning": " "}, "needs its reasoning"),
        ({"final_response": ""}, "needs the final response"),
        ({"decision": "maybe"}, "Choose a decision"),
        ({"decision": Escalation.Decision.CHANGED}, "needs its revised remedies"),
        ({"revised_remedies": [Remedy.APOLOGY]}, "An upheld response keeps its remedies"),
        (
            {"decision": Escalation.Decision.CHANGED, "revised_remedies": ["free_pony"]},
            "Unknown remedy: free_pony",
        ),
        (
            {"decision": Escalation.Decision.CHANGED, "revised_redress_amount": Decimal("-1")},
            "cannot be negative",
        ),
    ],
)
def test_it_refuses_an_incomplete_decision_and_changes_nothing(
    ombudsman_policy, hana, uma, overrides, message
):
    case = case_in(State.ESCALATED, handler=hana)
    with pytest.raises(ComplaintError, match=message):
        decide(case.escalations.get(), uma, **overrides)
    case.refresh_from_db()
    assert case.state == State.ESCALATED and case.redress_amount == Decimal("9.99")
    assert not Notification.objects.filter(kind=Notification.Kind.FINAL_RESPONSE).exists()


def test_it_refuses_a_second_escalation_after_the_final_response(ombudsman_policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    decide(case.escalations.get(), uma)
    case.refresh_from_db()
    case = services.complaint_reopen(complaint=case, actor=Actor.staff(hana), reason="New facts.")
    with pytest.raises(ComplaintError, match="already had its final response .* cannot be"):
        escalation_request(complaint=case, actor=Actor.staff(hana), grounds="Once more.")
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and case.escalations.count() == 1


def test_it_refuses_to_decide_an_escalation_twice(ombudsman_policy, hana, uma):
    case = case_in(State.ESCALATED, handler=hana)
    stale = case.escalations.get()
    decided = decide(stale, uma)
    for escalation in (stale, decided):
        with pytest.raises(ComplaintError, match="is already decided"):
            decide(escalation, uma)
