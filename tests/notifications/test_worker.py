"""End to end: a real Celery worker on Redis acknowledges a submitted complaint over SMTP."""

import time
from pathlib import Path

import pytest

from tests.cases import submit_complaint
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60  # seconds to wait for the worker; only a guard against hanging, not a timing


@pytest.fixture
def worker(postgres, redis_url, smtp_server):
    """Start a real `celery -A config worker` on the test database, Redis and the SMTP server."""
    with celery_worker(
        redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        REDRESS_SITE_URL="https://complaints.example.org",
    ) as process:
        yield process


def test_it_emails_the_acknowledgement_with_the_reference_through_a_real_worker(
    policy, smtp_server, worker
):
    complaint = submit_complaint()  # queues its acknowledgement on commit

    deadline = time.monotonic() + PATIENCE
    while not smtp_server.messages and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.2)

    [email] = smtp_server.messages
    assert f"[{complaint.display_reference}]" in email["Subject"]
    assert complaint.display_reference in email.get_body(("plain",)).get_content()
    complaint.refresh_from_db()
    assert complaint.state == "acknowledged"
