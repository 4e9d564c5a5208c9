"""Complaint events reach the organisation's endpoint, signed, each once, until acknowledged."""

import json
from pathlib import Path

import pytest
import time_machine

from api import jobs
from api.models import EventKind, PersonalData, WebhookDelivery, WebhookEndpoint
from api.webhooks import webhook_delivery_resend
from complaints import clock, services
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import State
from tests.api.receiver import Receiver
from tests.cases import case_in, submit_complaint
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db


def documented_verify():
    """Return the verification function exactly as the README's Integrating section gives it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    integrating = readme[readme.index("## Integrating") :]
    snippet = integrating[integrating.index("```python") + len("```python") :]
    namespace: dict = {}
    exec(snippet[: snippet.index("```")], namespace)  # noqa: S102 - our own README
    return namespace["verify"]


verify = documented_verify()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def endpoint_for(receiver, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="CRM", url=receiver.url, **fields)


def sweep() -> int:
    jobs.until_done(jobs.webhook_events_collect)
    jobs.until_done(jobs.webhook_breaches_collect)
    return jobs.webhook_deliveries_dispatch()


def received(receiver) -> list[dict]:
    return [json.loads(request["body"]) for request in receiver.requests]


def test_it_sends_each_step_of_a_case_signed_with_the_documented_algorithm(policy, receiver):
    endpoint = endpoint_for(receiver)
    case_in(State.RESOLVED, handler=HandlerFactory())
    sweep()

    kinds = [payload["type"] for payload in received(receiver)]
    assert kinds == [
        "complaint.received",
        "complaint.acknowledged",
        "complaint.responded",
        "complaint.resolved",
    ]
    for request in receiver.requests:
        assert verify(endpoint.secret, request["headers"], request["body"])
        assert request["headers"]["webhook-id"].startswith("msg_")
        assert request["headers"]["content-type"] == "application/json"
    assert not verify(endpoint.secret, receiver.requests[0]["headers"], b"{}")
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_it_sends_information_requested_and_customer_replied(policy, receiver):
    endpoint_for(receiver)
    handler = HandlerFactory()
    case = case_in(State.INVESTIGATING, handler=handler)
    case = services.complaint_request_information(
        complaint=case, actor=Actor.staff(handler), body="Which card was charged?"
    )
    services.complaint_record_customer_reply(complaint=case, body="The Visa ending 42.")
    sweep()
    kinds = [payload["type"] for payload in received(receiver)]
    assert kinds[-2:] == ["complaint.information_requested", "complaint.customer_replied"]
    assert not any("Which card" in request["body"].decode() for request in receiver.requests)


def test_it_sends_escalated_review_decided_and_withdrawn(policy, receiver):
    from escalations.services import escalation_request

    endpoint_for(receiver, kinds=[EventKind.ESCALATED, EventKind.WITHDRAWN])
    case = case_in(State.RESPONDED, handler=HandlerFactory())
    escalation_request(complaint=case, actor=COMPLAINANT, grounds="The refund is too small.")
    other = submit_complaint()
    services.complaint_withdraw(complaint=other, actor=COMPLAINANT)
    sweep()
    kinds = [payload["type"] for payload in received(receiver)]
    assert kinds == ["complaint.escalated", "complaint.withdrawn"]


def test_it_limits_personal_data_to_the_endpoint_scope(policy, receiver):
    endpoint_for(receiver, kinds=[EventKind.RECEIVED], personal_data=PersonalData.NONE)
    submit_complaint(account_identifier="CUST-9", complainant_email="rosa@example.com")
    sweep()
    body = receiver.requests[0]["body"].decode()
    assert "CUST-9" not in body and "rosa@example.com" not in body and "Rosa" not in body

    WebhookEndpoint.objects.update(personal_data=PersonalData.CONTACT)
    submit_complaint(account_identifier="CUST-10", complainant_email="rosa@example.com")
    sweep()
    data = received(receiver)[1]["data"]
    assert data["account_identifier"] == "CUST-10"
    assert data["complainant"] == {
        "name": "Rosa Diaz",
        "email": "rosa@example.com",
        "language": "en",
    }


def test_a_receiver_that_is_down_then_up_gets_each_event_once(policy):
    receiver = Receiver()  # not started: the port refuses connections
    WebhookEndpoint.objects.create(name="CRM", url=receiver.url, kinds=[EventKind.RECEIVED])
    first, second = submit_complaint(), submit_complaint()
    sweep()
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert "Connection refused" in WebhookDelivery.objects.first().last_error

    receiver.start()
    try:
        assert sweep() == 0  # not due yet: the backoff holds
        with time_machine.travel(clock.now() + jobs.dt.timedelta(hours=2)):
            assert sweep() == 2
            assert sweep() == 0
        with time_machine.travel(clock.now() + jobs.dt.timedelta(days=3)):
            assert sweep() == 0
    finally:
        receiver.stop()
    references = [payload["data"]["reference"] for payload in received(receiver)]
    assert sorted(references) == sorted([first.display_reference, second.display_reference])
    ids = [request["headers"]["webhook-id"] for request in receiver.requests]
    assert len(set(ids)) == 2


def test_it_retries_an_error_answer_and_keeps_the_webhook_id(policy, receiver):
    endpoint_for(receiver, kinds=[EventKind.RECEIVED])
    submit_complaint()
    receiver.status = 500
    sweep()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "pending",
        500,
        "HTTP 500",
    )
    receiver.status = 200
    with time_machine.travel(delivery.next_attempt_at):
        sweep()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]


def test_the_backoff_doubles_up_to_its_cap(settings):
    from api.webhooks import backoff

    settings.REDRESS_WEBHOOK_RETRY_SECONDS, settings.REDRESS_WEBHOOK_RETRY_MAX_SECONDS = 30, 3600
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_supervisor_can_resend_a_failed_delivery(policy, receiver, settings):
    settings.REDRESS_WEBHOOK_MAX_ATTEMPTS = 1
    endpoint_for(receiver, kinds=[EventKind.RECEIVED])
    submit_complaint()
    receiver.status = 410
    sweep()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    receiver.status = 204
    assert webhook_delivery_resend(delivery=delivery)
    jobs.webhook_deliveries_dispatch()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.requests) == 2


def test_an_endpoint_hears_nothing_from_before_it_was_registered(policy, receiver):
    submit_complaint()
    jobs.webhook_events_collect()
    endpoint_for(receiver, kinds=[EventKind.RECEIVED])
    sweep()
    assert receiver.requests == []


def test_a_sweep_run_twice_writes_each_delivery_once(policy, receiver):
    endpoint_for(receiver)
    submit_complaint()
    assert jobs.webhook_events_collect() == 1
    assert jobs.webhook_events_collect() == 0
    assert WebhookDelivery.objects.count() == 1


def test_it_tells_of_a_breached_deadline_once(policy, receiver):
    endpoint_for(receiver, kinds=[EventKind.DEADLINE_BREACHED])
    case = submit_complaint()
    with time_machine.travel(case.acknowledge_by + jobs.dt.timedelta(minutes=5)):
        sweep()
        sweep()
    [payload] = received(receiver)
    assert payload["type"] == "complaint.deadline_breached"
    assert payload["data"]["deadline"]["kind"] == "acknowledge"


def test_a_clients_endpoint_hears_only_of_that_clients_complaints(policy, receiver):
    from api.models import Scope
    from api.services import api_client_create
    from tests.api.conftest import api_for, complaint_json
    from tests.factories import CategoryFactory

    billing = CategoryFactory()
    mine, key = api_client_create(name="Acme app", scopes=[Scope.SUBMIT, Scope.EVENTS])
    endpoint_for(receiver, kinds=[EventKind.RECEIVED], client=mine)
    submitted = api_for(key).post("/api/v1/complaints/", complaint_json(billing), format="json")
    submit_complaint()  # from the web form: not the client's
    sweep()
    assert [payload["data"]["reference"] for payload in received(receiver)] == [
        submitted.json()["reference"]
    ]


def test_the_beat_schedule_runs_the_api_sweeps(policy, receiver):
    from api import tasks
    from config.celery import app

    endpoint_for(receiver, kinds=[EventKind.RECEIVED])
    submit_complaint()
    schedule = app.conf.beat_schedule
    entries = {name: entry["task"] for name, entry in schedule.items() if name.startswith("api-")}
    assert entries == {
        "api-collect-webhook-events": tasks.collect_webhook_events.name,
        "api-deliver-webhooks": tasks.deliver_webhooks.name,
        "api-expire-idempotency-keys": tasks.expire_idempotency_keys.name,
    }
    assert tasks.collect_webhook_events.apply().get() == 1
    assert tasks.deliver_webhooks.apply().get() == 1
    assert tasks.expire_idempotency_keys.apply().get() == 0
    assert len(receiver.requests) == 1
