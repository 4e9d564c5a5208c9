"""DISP's messages: the acknowledgement's time limits, the summary resolution communication, the
final response's statements and the final-response check (issue 18)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from complaints import services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.exceptions import StatementsMissing
from complaints.presets import preset_by_slug, preset_load
from complaints.rulepacks import disp
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind
# A Monday in England, no bank holiday that week.
MONDAY = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)


@pytest.fixture
def policy_e():
    policy, _written = preset_load(preset_by_slug("e"))
    return policy


def bodies(kind: str) -> list[str]:
    kinds = dict(Notification.objects.values_list("message_id", "kind"))
    return [m.body for m in mail.outbox if kinds.get(m.extra_headers.get("Message-ID")) == kind]


def respond(case, hana, **overrides):
    return services.complaint_respond(
        complaint=case,
        actor=Actor.staff(hana),
        **{
            "findings": "We charged you twice.",
            "actions": "We refunded the second charge.",
            "reasoning": "Our records show the duplicate.",
            "outcome": "upheld",
            "remedies": ["refund"],
        }
        | overrides,
    )


def test_the_acknowledgement_states_the_eight_week_limit_and_the_ombudsman(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False):
        case_in(State.ACKNOWLEDGED, handler=hana, policy=policy_e)
        deliver_pending()
    (body,) = bodies(K.ACKNOWLEDGEMENT)
    assert "within eight weeks" in body and "April 26, 2027" in body
    assert disp.FOS_WEBSITE in body and "Financial Ombudsman Service" in body


def test_a_response_within_three_business_days_is_a_summary_resolution_and_nothing_else(
    policy_e,
):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        clock.move_to(MONDAY + dt.timedelta(days=2))
        case = respond(case, hana)
        deliver_pending()
    assert not bodies(K.RESPONSE) and not bodies(K.FINAL_RESPONSE)
    (body,) = bodies(K.SUMMARY_RESOLUTION)
    assert "we now consider it resolved" in body
    assert str(disp.CONSENT_WORDING["does_not_consent"]) in " ".join(body.split())
    final = case.promises.get(kind=PromiseKind.FINAL_RESPONSE)
    assert final.kept_by.startswith(K.SUMMARY_RESOLUTION)
    assert case.promises.get(kind=PromiseKind.HOLDING_REPLY).released_at is not None


def test_a_later_response_is_the_final_response_with_the_referral_rights(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        clock.move_to(MONDAY + dt.timedelta(days=10))
        respond(case, hana)
        deliver_pending()
    (body,) = bodies(K.RESPONSE)
    plain = " ".join(body.split())
    for text in (disp.FOS_ADDRESS, disp.FOS_PHONE, disp.FOS_LEAFLET):
        assert text in plain
    assert str(disp.REFER_WITHIN_SIX_MONTHS) in plain


def test_the_check_refuses_a_final_response_without_the_consent_choice_and_changes_nothing(
    policy_e,
):
    policy_e.ombudsman_consent = ""
    policy_e.save()
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        written = Notification.objects.count()
        clock.move_to(MONDAY + dt.timedelta(days=10))
        with pytest.raises(StatementsMissing) as refusal:
            respond(case, hana)
    assert any("consent" in missing for missing in refusal.value.missing)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and case.responded_at is None
    assert Notification.objects.count() == written
