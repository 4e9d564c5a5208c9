"""Every allowed and every refused transition of the complaint state machine."""

from decimal import Decimal

import pytest
from django.db import connection

from complaints import casework, services
from complaints.actors import COMPLAINANT, SYSTEM, Actor
from complaints.choices import Outcome, Remedy, State
from complaints.exceptions import CaseChanged, ComplaintError, NotPermitted, TransitionRefused
from complaints.models import Complaint, ComplaintEvent
from escalations.models import Escalation
from escalations.services import escalation_decide, escalation_request
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.cases import submit_complaint as submit
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler():
    return Actor.staff(HandlerFactory(username="hana"))


@pytest.fixture
def supervisor():
    return Actor.staff(SupervisorFactory(username="sam"))


def respond(case, actor):
    return services.complaint_respond(
        complaint=case,
        actor=actor,
        findings="A duplicate charge.",
        actions="Refunded.",
        reasoning="Our error.",
        outcome=Outcome.UPHELD,
        remedies=[Remedy.REFUND],
        redress_amount=Decimal("9.99"),
    )


def walk(state, handler):
    """Return a complaint brought to `state` through the services, worked by `handler`.

    The worker sends its mail as it goes, so the promises its messages keep are kept.
    """
    case = case_in(state, handler=handler.user, assign=False)
    deliver_pending()
    return case


def test_it_receives_a_complaint_with_reference_deadlines_and_timeline(policy):
    case = submit()
    assert case.state == State.RECEIVED
    assert len(case.reference) == 9 and case.display_reference.count("-") == 2
    assert len(case.tracking_token) >= 32
    assert case.acknowledge_by is not None and case.resolve_by is not None
    assert case.next_deadline == case.acknowledge_by
    event = case.events.get()
    assert (event.action, event.from_state, event.to_state) == ("received", "", State.RECEIVED)


def test_it_acknowledges_assigns_a_handler_and_queues_the_acknowledgement(policy, handler):
    case = services.complaint_acknowledge(complaint=submit())
    assert case.state == State.ACKNOWLEDGED
    assert case.handler == handler.user
    # Acknowledged is not yet kept: the promise is kept once the email has gone out.
    assert case.next_deadline == case.acknowledge_by
    deliver_pending()
    case.refresh_from_db()
    assert case.next_deadline == case.respond_by
    kinds = set(case.notifications.values_list("kind", flat=True))
    assert kinds == {Notification.Kind.ACKNOWLEDGEMENT, Notification.Kind.STAFF_ASSIGNED}


def test_it_runs_the_happy_path_to_resolution(policy, handler):
    case = walk(State.RESOLVED, handler)
    assert case.responded_at and case.resolved_at and case.closed_at
    assert case.reopen_until is not None and case.next_deadline is None
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "received",
        "acknowledge",
        "start_investigation",
        "respond",
        "resolve",
    ]


def test_it_asks_for_information_and_resumes_on_the_reply(policy, handler):
    case = walk(State.INVESTIGATING, handler)
    case = services.complaint_request_information(
        complaint=case, actor=handler, body="Which card was charged?"
    )
    assert case.awaiting_information and case.first_responded_at is not None
    services.complaint_record_customer_reply(complaint=case, body="The Visa ending 4242.")
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and not case.awaiting_information
    assert list(case.messages.values_list("direction", flat=True)) == ["outbound", "inbound"]


@pytest.mark.parametrize("source", [State.ACKNOWLEDGED, State.INVESTIGATING, State.RESPONDED])
def test_staff_can_escalate_from_each_open_state(policy, handler, source):
    case = walk(source, handler)
    escalation = escalation_request(complaint=case, actor=handler, grounds="Senior view needed.")
    case.refresh_from_db()
    assert case.state == State.ESCALATED
    assert case.next_deadline == escalation.review_by


def test_the_complainant_escalates_only_after_the_response(policy, handler):
    with pytest.raises(NotPermitted):
        escalation_request(
            complaint=walk(State.INVESTIGATING, handler), actor=COMPLAINANT, grounds="Too slow."
        )
    case = walk(State.RESPONDED, handler)
    escalation_request(complaint=case, actor=COMPLAINANT, grounds="The refund is too small.")
    case.refresh_from_db()
    assert case.state == State.ESCALATED


def test_a_supervisor_closes_an_escalation_and_a_second_one_is_refused(policy, handler, supervisor):
    case = walk(State.ESCALATED, handler)
    escalation = case.escalations.get()
    with pytest.raises(NotPermitted):
        escalation_decide(
            escalation=escalation,
            actor=handler,
            decision=Escalation.Decision.UPHELD,
            reasoning="Fair.",
            final_response="We stand by it.",
        )
    escalation_decide(
        escalation=escalation,
        actor=supervisor,
        decision=Escalation.Decision.UPHELD,
        reasoning="The original response was fair.",
        final_response="Our final response: we stand by our decision.",
    )
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    services.complaint_reopen(complaint=case, actor=handler, reason="New evidence.")
    case.refresh_from_db()
    with pytest.raises(ComplaintError, match="final response"):
        escalation_request(complaint=case, actor=handler, grounds="Again.")


@pytest.mark.parametrize(
    "source",
    [State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESPONDED, State.ESCALATED],
)
def test_it_withdraws_from_every_open_state(policy, handler, source):
    case = services.complaint_withdraw(
        complaint=walk(source, handler), actor=COMPLAINANT, reason="Sorted."
    )
    assert case.state == State.WITHDRAWN and case.withdrawn_at and case.next_deadline is None


def test_it_reopens_within_the_window_only(policy, handler, time_machine):
    case = walk(State.RESOLVED, handler)
    time_machine.move_to(case.reopen_until, tick=False)
    reopened = services.complaint_reopen(complaint=case, actor=handler, reason="Recurred.")
    assert reopened.state == State.INVESTIGATING and reopened.resolved_at is None
    resolved_again = walk(State.RESOLVED, handler)
    time_machine.move_to(resolved_again.reopen_until + __import__("datetime").timedelta(seconds=1))
    with pytest.raises(ComplaintError, match="no longer be reopened"):
        services.complaint_reopen(complaint=resolved_again, actor=handler, reason="Late.")


ACTIONS = {
    "acknowledge": lambda case, h: services.complaint_acknowledge(complaint=case, actor=h),
    "start_investigation": lambda case, h: services.complaint_start_investigation(
        complaint=case, actor=h
    ),
    "request_information": lambda case, h: services.complaint_request_information(
        complaint=case, actor=h, body="More?"
    ),
    "respond": lambda case, h: respond(case, h),
    "resolve": lambda case, h: services.complaint_resolve(complaint=case, actor=h),
    "escalate": lambda case, h: escalation_request(complaint=case, actor=h, grounds="Why."),
    "withdraw": lambda case, h: services.complaint_withdraw(complaint=case, actor=h),
    "reopen": lambda case, h: services.complaint_reopen(complaint=case, actor=h, reason="Again."),
}
ALLOWED = {
    State.RECEIVED: {"acknowledge", "withdraw"},
    State.ACKNOWLEDGED: {"start_investigation", "escalate", "withdraw"},
    State.INVESTIGATING: {"request_information", "respond", "escalate", "withdraw"},
    State.RESPONDED: {"resolve", "escalate", "withdraw"},
    State.RESOLVED: {"reopen"},
    State.ESCALATED: {"withdraw"},
    State.WITHDRAWN: set(),
}
REFUSED = [
    (state, action) for state in ALLOWED for action in ACTIONS if action not in ALLOWED[state]
]


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_a_refused_transition_names_the_state_and_the_action_and_changes_nothing(
    policy, handler, state, action
):
    case = walk(state, handler)
    events_before = case.events.count()
    with pytest.raises(TransitionRefused) as refused:
        ACTIONS[action](case, handler)
    message = str(refused.value)
    assert action.replace("_", " ") in message
    assert str(State(state).label) in message
    case.refresh_from_db()
    assert case.state == state and case.events.count() == events_before


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s, actions in ALLOWED.items() for a in actions]
)
def test_an_allowed_transition_succeeds(policy, handler, state, action):
    case = walk(state, handler)
    ACTIONS[action](case, handler)
    case = Complaint.objects.get(pk=case.pk)
    assert case.events.last().action == action


def test_a_stale_copy_is_told_the_case_changed(policy, handler):
    case = walk(State.ACKNOWLEDGED, handler)
    stale = Complaint.objects.get(pk=case.pk)
    services.complaint_start_investigation(complaint=case, actor=handler)
    with pytest.raises(CaseChanged, match="changed meanwhile"):
        services.complaint_withdraw(complaint=stale, actor=handler)


def test_only_staff_may_work_a_case(policy, handler):
    case = walk(State.ACKNOWLEDGED, handler)
    for actor in (COMPLAINANT, SYSTEM):
        with pytest.raises(NotPermitted):
            services.complaint_start_investigation(complaint=case, actor=actor)


def test_the_state_field_cannot_be_set_directly(policy):
    case = submit()
    with pytest.raises(AttributeError):
        case.state = State.RESOLVED


def test_every_change_is_in_the_history(policy, handler):
    case = walk(State.RESPONDED, handler)
    states = list(case.history.order_by("history_date").values_list("state", flat=True))
    assert states == ["received", "acknowledged", "investigating", "responded"]


@pytest.mark.parametrize("bulk_returns_ids", [True, False])
def test_each_timeline_entry_keeps_its_id_whether_or_not_a_bulk_insert_returns_ids(
    policy, monkeypatch, bulk_returns_ids
):
    # The outbox keys a transition's messages by its event's id (SQLite before 3.35 returns none).
    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", bulk_returns_ids)
    case = submit()
    events = casework.record_events(
        case,
        [
            casework.TimelineEntry("note_added", SYSTEM, from_state=case.state),
            casework.TimelineEntry("note_added", SYSTEM, from_state=case.state, public=False),
        ],
    )
    assert all(event.pk for event in events)
    assert ComplaintEvent.objects.filter(complaint=case).count() == 3
