"""The final response after a review says what the supervisor decided, greets once, names the
external routes as they were at the decision, and sends only what the form said it would."""

from decimal import Decimal

import pytest

from complaints.actors import Actor
from complaints.admin import forms as console_forms
from complaints.choices import Remedy, State
from escalations.forms import DecisionForm
from escalations.models import Escalation
from escalations.services import escalation_decide
from notifications.models import Notification
from notifications.rendering import render_email
from tests.cases import case_in
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.escalation_people"]

ROUTES = "The Financial Ombudsman Service, www.financial-ombudsman.org.uk."
SENT = "Sent to the complainant"


@pytest.fixture
def ombudsman_policy(db):
    return PolicyFactory(
        is_default=True,
        external_routes=ROUTES,
        external_route_time_limit="within six months of the date of our final response",
    )


def decided(hana, uma, **fields):
    case = case_in(State.ESCALATED, handler=hana)
    escalation_decide(
        escalation=case.escalations.get(),
        actor=Actor.staff(uma),
        **{
            "decision": Escalation.Decision.UPHELD,
            "reasoning": "The refund matched the duplicate charge.",
            "final_response": "Having reviewed your case, we stand by our response.",
        }
        | fields,
    )
    return case, render_email(Notification.objects.get(kind=Notification.Kind.FINAL_RESPONSE))


def test_it_states_the_remedy_and_amount_the_supervisor_decided(ombudsman_policy, hana, uma):
    _case, email = decided(
        hana,
        uma,
        decision=Escalation.Decision.CHANGED,
        revised_remedies=[Remedy.REFUND, Remedy.APOLOGY],
        revised_redress_amount=Decimal("50.00"),
        final_response="We were wrong to refuse the second refund.",
    )
    assert "What we offer: Refund, Formal apology" in email.body
    assert "Redress: 50.00 EUR" in email.body


def test_it_states_the_original_remedy_when_the_response_is_upheld(ombudsman_policy, hana, uma):
    _case, email = decided(hana, uma)
    assert "What we offer: Refund" in email.body and "Redress: 9.99 EUR" in email.body


def test_it_greets_the_complainant_once(ombudsman_policy, hana, uma):
    _case, email = decided(
        hana, uma, final_response="Dear Rosa Diaz,\n\nHaving reviewed your case, we stand by it."
    )
    assert email.body.count("Dear Rosa Diaz") == 1
    assert "Dear Rosa Diaz,\n\nWe have reviewed your complaint." in email.body
    assert "Having reviewed your case, we stand by it." in email.body


def test_it_names_the_external_routes_stored_at_the_decision(ombudsman_policy, hana, uma):
    case, _email = decided(hana, uma)
    escalation = case.escalations.get()
    assert escalation.external_routes == ROUTES
    ombudsman_policy.external_routes = "Write to the mediator instead."
    ombudsman_policy.external_route_time_limit = ""
    ombudsman_policy.save()
    body = render_email(Notification.objects.get(kind=Notification.Kind.FINAL_RESPONSE)).body
    assert ROUTES in body and "within six months" in body
    assert "mediator" not in body


def test_it_labels_every_decision_field_it_sends_as_sent_to_the_complainant():
    form = DecisionForm()
    for name in ("decision", "revised_remedies", "revised_redress_amount", "reasoning"):
        assert SENT in str(form.fields[name].help_text), name
    assert SENT in str(form.fields["final_response"].help_text)


@pytest.mark.parametrize(
    ("form_class", "fields"),
    [
        (
            console_forms.ResponseForm,
            [
                "findings",
                "actions",
                "remedies",
                "redress_amount",
                "redress_currency",
                "reasoning",
                "outcome",
            ],
        ),
        (console_forms.MessageForm, ["body"]),
        (console_forms.InformationRequestForm, ["body"]),
        (console_forms.DeadlineExtensionForm, ["resolve_by", "reason"]),
        (console_forms.ComplexReasonForm, ["reason"]),
    ],
)
def test_it_labels_every_console_field_it_sends_as_sent_to_the_complainant(form_class, fields):
    form = form_class()
    # The kind of redress goes to the ledger only, and says so.
    unsent = {"redress_kind"} if form_class is console_forms.ResponseForm else set()
    assert sorted(set(form.fields) - unsent) == sorted(fields)
    for name in unsent:
        assert SENT not in str(form.fields[name].help_text)
    for name in fields:
        assert SENT in str(form.fields[name].help_text), name


def test_it_says_a_plain_reason_stays_on_the_record():
    assert "not sent" in str(console_forms.ReasonForm().fields["reason"].help_text)


def test_it_sends_the_reason_a_case_is_complex_with_the_new_date(policy, hana):
    from complaints import services

    case = case_in(State.INVESTIGATING, handler=hana)
    services.complaint_mark_complex(
        complaint=case, actor=Actor.staff(hana), reason="Three banks are involved."
    )
    notice = Notification.objects.get(kind=Notification.Kind.DEADLINE_EXTENDED)
    assert "Three banks are involved." in render_email(notice).body
