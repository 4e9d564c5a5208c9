"""The packs in the console and on the public site: the holding-reply form, the respond form's
list of what a final response lacks, and the policy page's regulatory promises (issue 18)."""

import datetime as dt

import pytest
import time_machine

from complaints.choices import PromiseKind, State
from complaints.presets import preset_by_slug, preset_load
from notifications.models import Notification
from tests.cases import case_in
from tests.console.pages import act_url, change_url
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)
RESPONSE = {
    "findings": "We charged the card twice.",
    "actions": "Refunded the second charge.",
    "remedies": ["refund"],
    "reasoning": "The duplicate was our error.",
    "outcome": "upheld",
}


@pytest.fixture
def policy_e():
    policy, _written = preset_load(preset_by_slug("e"))
    return policy


@pytest.fixture
def hana():
    return HandlerFactory(username="hana")


def test_the_handler_sends_a_holding_reply_from_its_form_after_confirming(client, policy_e, hana):
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        client.force_login(hana)  # in the travelled time: sessions end when idle
        page = client.get(change_url(case)).content.decode()
        assert act_url(case, "holding_reply") in page
        form = client.get(act_url(case, "holding_reply")).content.decode()
        assert 'name="reasons"' in form and 'name="expected_by_0"' in form
        data = {
            "reasons": "We are waiting for the card scheme.",
            "expected_by_0": "2027-04-30",
            "expected_by_1": "12:00",
        }
        unconfirmed = client.post(act_url(case, "holding_reply"), data)
        assert unconfirmed.status_code == 200
        assert not case.notifications.filter(kind=Notification.Kind.HOLDING_REPLY).exists()
        done = client.post(act_url(case, "holding_reply"), data | {"confirm": "on"})
    assert done.status_code == 302
    reply = case.notifications.get(kind=Notification.Kind.HOLDING_REPLY)
    assert reply.context["reasons"] == "We are waiting for the card scheme."
    assert case.events.filter(action="holding_reply").exists()


def test_the_respond_form_lists_what_the_final_response_lacks(client, policy_e, hana):
    policy_e.ombudsman_consent = ""
    policy_e.save()
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        clock.move_to(MONDAY + dt.timedelta(days=10))
        client.force_login(hana)
        response = client.post(act_url(case, "respond"), RESPONSE)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Missing: whether we consent to the ombudsman" in errors
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING
    assert not case.notifications.filter(kind=Notification.Kind.RESPONSE).exists()
    assert case.promises.get(kind=PromiseKind.FINAL_RESPONSE).kept_at is None


def test_no_holding_reply_is_offered_without_a_regulators_clock(client, policy, hana):
    case = case_in(State.INVESTIGATING, handler=hana)
    client.force_login(hana)
    assert act_url(case, "holding_reply") not in client.get(change_url(case)).content.decode()


def test_the_policy_page_states_the_eight_weeks_and_the_ombudsman(client, policy_e):
    policy_e.is_default = True
    policy_e.save()
    page = client.get("/policy/").content.decode()
    assert "within eight weeks of receiving your complaint" in page
    assert "Financial Ombudsman Service" in page
