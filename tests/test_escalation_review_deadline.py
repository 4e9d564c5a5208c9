"""The review deadline follows the case's policy, counted from the request."""

import datetime as dt

import pytest
import time_machine

from complaints.actors import Actor
from complaints.choices import DeadlineKind, State
from complaints.presets import preset_by_slug, preset_load
from escalations.services import escalation_request
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Friday 24 April 2026, 10:00 in Amsterdam; King's Day (Monday 27 April) is a Dutch holiday.
REQUESTED = dt.datetime(2026, 4, 24, 8, 0, tzinfo=UTC)


def escalate_under(slug):
    policy, _written = preset_load(preset_by_slug(slug))
    hana = HandlerFactory(username="hana")
    with time_machine.travel(REQUESTED, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy)
        deliver_pending()
        escalation = escalation_request(
            complaint=case, actor=Actor.staff(hana), grounds="A senior view."
        )
    case.refresh_from_db()
    return case, escalation


def test_it_gives_a_review_five_to_seven_business_days_under_policy_a():
    case, escalation = escalate_under("a")
    # A keeps no holidays: Monday 27 April is business day 1, Friday 1 May is 5, Tuesday 5 May 7.
    assert escalation.review_aim == dt.datetime(2026, 5, 1, 17, 0, tzinfo=UTC)
    assert escalation.review_by == dt.datetime(2026, 5, 5, 17, 0, tzinfo=UTC)
    assert escalation.due_soon_at == escalation.review_aim
    assert case.next_deadline == escalation.review_by
    assert case.next_deadline_kind == DeadlineKind.REVIEW
    assert case.due_soon_at == escalation.review_aim


def test_it_gives_a_review_seven_dutch_business_days_under_policy_d():
    case, escalation = escalate_under("d")
    # King's Day is skipped: Tuesday 28 April is business day 1, Wednesday 6 May is day 7,
    # closing at 17:00 Amsterdam time (15:00 UTC in summer).
    assert escalation.review_aim is None
    assert escalation.review_by == dt.datetime(2026, 5, 6, 15, 0, tzinfo=UTC)
    assert escalation.due_soon_at == escalation.review_by - dt.timedelta(hours=24)
    assert case.next_deadline == escalation.review_by
    assert case.next_deadline_kind == DeadlineKind.REVIEW
    assert case.due_soon_at == escalation.due_soon_at
