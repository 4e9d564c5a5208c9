"""End to end: the collecting sweep queues each delivery, a real Celery worker on Redis sends it
to a real HTTP receiver, signed."""

import json
import time
from pathlib import Path

import pytest

from api import jobs
from api.models import EventKind, WebhookDelivery, WebhookEndpoint
from tests.api.receiver import Receiver
from tests.api.test_api_webhooks import verify
from tests.cases import submit_complaint
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60  # seconds to wait for the worker; only a guard against hanging, not a timing


@pytest.fixture
def worker(postgres, redis_url):
    """Start a real `celery -A config worker` on the test database and Redis."""
    with celery_worker(redis_url) as process:
        yield process


def test_a_real_worker_delivers_the_event_the_sweep_queued(policy, worker):
    receiver = Receiver().start()
    try:
        endpoint = WebhookEndpoint.objects.create(
            name="CRM", url=receiver.url, kinds=[EventKind.RECEIVED]
        )
        complaint = submit_complaint()
        assert jobs.webhook_events_collect() == 1  # commits, then queues the delivery

        deadline = time.monotonic() + PATIENCE
        while not receiver.requests and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        receiver.stop()

    [request] = receiver.requests
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert json.loads(request["body"])["data"]["reference"] == complaint.display_reference
    deadline = time.monotonic() + PATIENCE
    while WebhookDelivery.objects.get().status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert WebhookDelivery.objects.get().status == "delivered"
