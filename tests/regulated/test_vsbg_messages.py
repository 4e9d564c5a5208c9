"""VSBG (§§ 36-37): the acknowledgement and the final response say whether we take part in
consumer arbitration and before which board, in German for policy B (issue 18)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from complaints import services
from complaints.actors import Actor
from complaints.choices import State
from complaints.exceptions import StatementsMissing
from complaints.presets import preset_by_slug, preset_load
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind
MONDAY = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)
BOARD = "Allgemeine Verbraucherschlichtungsstelle des Zentrums für Schlichtung e.V."


@pytest.fixture
def policy_b():
    policy, _written = preset_load(preset_by_slug("b"))
    return policy


def bodies(kind: str) -> list[str]:
    kinds = dict(Notification.objects.values_list("message_id", "kind"))
    return [m.body for m in mail.outbox if kinds.get(m.extra_headers.get("Message-ID")) == kind]


def respond(case, hana):
    return services.complaint_respond(
        complaint=case,
        actor=Actor.staff(hana),
        findings="Wir haben doppelt abgebucht.",
        actions="Erstattet.",
        reasoning="Unsere Unterlagen zeigen es.",
        outcome="upheld",
    )


def test_the_acknowledgement_and_the_response_name_the_board_in_german(policy_b):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_b)
        respond(case, hana)
        deliver_pending()
    for kind in (K.ACKNOWLEDGEMENT, K.RESPONSE):
        (body,) = bodies(kind)
        assert "Wir sind bereit, an Streitbeilegungsverfahren" in body
        assert "Zuständig ist die Verbraucherschlichtungsstelle:" in body
        assert BOARD in body and "77694 Kehl am Rhein" in body
        assert "www.verbraucher-schlichter.de" in body
    # No DISP statement under VSBG.
    assert "Financial Ombudsman" not in "".join(bodies(K.RESPONSE))


def test_the_check_refuses_a_response_when_the_board_is_not_named(policy_b):
    policy_b.arbitration_board = ""
    policy_b.save()
    hana = HandlerFactory(username="hana")
    case = case_in(State.INVESTIGATING, handler=hana, policy=policy_b)
    with pytest.raises(StatementsMissing) as refusal:
        respond(case, hana)
    assert any("arbitration board" in missing for missing in refusal.value.missing)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


def test_an_organisation_unwilling_to_take_part_says_so_and_needs_no_board(policy_b):
    policy_b.arbitration_participation = "unwilling"
    policy_b.arbitration_board = ""
    policy_b.save()
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_b)
        respond(case, hana)
        deliver_pending()
    (body,) = bodies(K.RESPONSE)
    assert "weder bereit noch verpflichtet" in body
