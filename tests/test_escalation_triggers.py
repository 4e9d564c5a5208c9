"""Who and what escalates a case: the complainant, staff, and a breached deadline."""

import datetime as dt

import pytest
import time_machine

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import ActorKind, State, TargetKind
from complaints.clock import Unit
from complaints.exceptions import ComplaintError, NotPermitted, TransitionRefused
from config.celery import app
from escalations import tasks
from escalations.jobs import escalations_auto_escalate_breached
from escalations.models import Escalation
from escalations.services import escalation_request
from notifications.models import Notification
from tests.cases import case_in
from tests.factories import PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.escalation_people"]

RECEIVED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
# Without a first-response promise the full response is a case's next deadline once acknowledged.
BREACHABLE = {
    TargetKind.ACKNOWLEDGE: (None, 24, Unit.HOURS),
    TargetKind.RESOLVE: (None, 5, Unit.BUSINESS_DAYS),
    TargetKind.ESCALATION_REVIEW: (None, 5, Unit.BUSINESS_DAYS),
}


def test_it_lets_the_complainant_escalate_within_the_window(policy, hana):
    case = case_in(State.RESPONDED, handler=hana)
    escalation = escalation_request(
        complaint=case, actor=COMPLAINANT, grounds="The refund is too small.", desired_outcome="€50"
    )
    assert escalation.requested_by == ActorKind.COMPLAINANT
    assert escalation.grounds == "The refund is too small." and escalation.desired_outcome == "€50"
    notice = Notification.objects.get(kind=Notification.Kind.ESCALATION_RECEIVED)
    assert notice.recipient == "rosa@example.com"
    assert notice.context["review_by"] == escalation.review_by.isoformat()


def test_it_refuses_the_complainant_once_the_window_closed(policy, hana):
    with time_machine.travel(RECEIVED, tick=False):
        case = case_in(State.RESPONDED, handler=hana)
    with (
        time_machine.travel(case.escalate_until + dt.timedelta(minutes=1), tick=False),
        pytest.raises(NotPermitted, match="time to ask for a review .* has passed"),
    ):
        escalation_request(complaint=case, actor=COMPLAINANT, grounds="Too late?")
    case.refresh_from_db()
    assert case.state == State.RESPONDED and not case.escalations.exists()


def test_it_refuses_the_complainant_before_the_response(policy, hana):
    case = case_in(State.INVESTIGATING, handler=hana)
    with pytest.raises(NotPermitted, match="once you have our response"):
        escalation_request(complaint=case, actor=COMPLAINANT, grounds="Too slow.")


@pytest.mark.parametrize("state", [State.ACKNOWLEDGED, State.INVESTIGATING, State.RESPONDED])
def test_it_lets_staff_escalate_from_any_open_state_after_receipt(policy, hana, state):
    case = case_in(state, handler=hana)
    escalation = escalation_request(complaint=case, actor=Actor.staff(hana), grounds="Senior view.")
    assert escalation.requested_by == ActorKind.STAFF and escalation.requested_by_user == hana


def test_it_refuses_to_escalate_a_case_not_yet_acknowledged(policy, hana):
    case = case_in(State.RECEIVED, handler=hana)
    with pytest.raises(TransitionRefused, match="Cannot escalate complaint .*: it is Received"):
        escalation_request(complaint=case, actor=Actor.staff(hana), grounds="Senior view.")


def test_it_refuses_staff_without_the_escalation_permission(policy, hana):
    case = case_in(State.INVESTIGATING, handler=hana)
    with pytest.raises(NotPermitted, match="Only case handlers and supervisors"):
        escalation_request(complaint=case, actor=Actor.staff(UserFactory()), grounds="Why not.")


def test_it_refuses_an_escalation_without_grounds(policy, hana):
    case = case_in(State.RESPONDED, handler=hana)
    with pytest.raises(ComplaintError, match="Say why you are not satisfied"):
        escalation_request(complaint=case, actor=COMPLAINANT, grounds="  ")


def breached_case(hana, *, auto_escalate=True, state=State.INVESTIGATING):
    policy = PolicyFactory(auto_escalate_on_breach=auto_escalate, targets=BREACHABLE)
    with time_machine.travel(RECEIVED, tick=False):
        return case_in(state, handler=hana, policy=policy)


def test_it_escalates_a_breached_full_response_deadline_where_the_policy_says_so(hana):
    case = breached_case(hana)
    on_time = breached_case(hana, state=State.ACKNOWLEDGED)
    with time_machine.travel(case.resolve_by - dt.timedelta(minutes=1), tick=False):
        assert escalations_auto_escalate_breached() == 0
    with time_machine.travel(case.resolve_by + dt.timedelta(minutes=1), tick=False):
        assert escalations_auto_escalate_breached(batch=1) == 1
        assert escalations_auto_escalate_breached() == 1
        assert escalations_auto_escalate_breached() == 0
    for complaint in (case, on_time):
        complaint.refresh_from_db()
        assert complaint.state == State.ESCALATED
        escalation = complaint.escalations.get()
        assert escalation.requested_by == ActorKind.SYSTEM
        assert "full-response deadline" in escalation.grounds


def test_it_leaves_a_breached_case_alone_when_the_policy_does_not_escalate(hana):
    case = breached_case(hana, auto_escalate=False)
    with time_machine.travel(case.resolve_by + dt.timedelta(days=3), tick=False):
        assert escalations_auto_escalate_breached() == 0
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and not Escalation.objects.exists()


def test_it_leaves_a_responded_case_alone_after_its_deadline(hana):
    case = breached_case(hana, state=State.RESPONDED)
    with time_machine.travel(case.resolve_by + dt.timedelta(days=3), tick=False):
        assert escalations_auto_escalate_breached() == 0


def test_it_runs_the_automatic_escalation_from_the_beat_schedule(hana):
    case = breached_case(hana)
    entry = app.conf.beat_schedule["escalations-auto-escalate-breached"]
    assert entry["task"] == tasks.auto_escalate_breached.name
    with time_machine.travel(case.resolve_by + dt.timedelta(hours=1), tick=False):
        assert tasks.auto_escalate_breached.apply().get() == 1


def test_withdrawing_an_escalated_complaint_ends_its_review_undecided(policy, hana):
    case = case_in(State.ESCALATED, handler=hana)
    services.complaint_withdraw(complaint=case, actor=COMPLAINANT, reason="Settled.")
    escalation = case.escalations.get()
    assert escalation.state == Escalation.State.WITHDRAWN
    assert not Escalation.objects.open().exists()
    assert escalation.history.filter(state=Escalation.State.WITHDRAWN).exists()
