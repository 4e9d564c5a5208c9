"""End to end: a real Celery worker on Redis acknowledges a submitted complaint over SMTP."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.cases import submit_complaint

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60  # seconds to wait for the worker; only a guard against hanging, not a timing


@pytest.fixture
def worker(postgres, redis_url, smtp_server):
    """Start a real `celery -A config worker` on the test database, Redis and the SMTP server."""
    redis.Redis.from_url(redis_url).flushdb()  # our own db number: nothing left from other tests
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "worker-test-secret-key-not-for-production-0123456789-abcdef",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "REDRESS_SITE_URL": "https://complaints.example.org",
    }
    env.pop("TEST_DATABASE_NAME", None)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


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
