"""A responded case with no reply within the policy's window resolves by itself, with a notice."""

import datetime as dt

import pytest
import time_machine

from complaints import jobs
from complaints.actors import Actor
from complaints.choices import ActorKind, State
from notifications.models import Notification
from tests.factories import HandlerFactory
from tests.notifications.components import responded

pytestmark = pytest.mark.django_db


def test_it_resolves_a_responded_case_once_its_window_lapsed(policy):
    case = responded(handler=Actor.staff(HandlerFactory(username="hana")))

    with time_machine.travel(case.auto_resolve_at - dt.timedelta(minutes=1), tick=False):
        assert jobs.responses_auto_resolve() == 0
    with time_machine.travel(case.auto_resolve_at, tick=False):
        assert jobs.responses_auto_resolve() == 1
        assert jobs.responses_auto_resolve() == 0

    case.refresh_from_db()
    assert case.state == State.RESOLVED
    event = case.events.get(action="resolve")
    assert event.actor_kind == ActorKind.SYSTEM and "No reply" in event.note
    assert Notification.objects.filter(kind=Notification.Kind.RESOLVED).count() == 1
