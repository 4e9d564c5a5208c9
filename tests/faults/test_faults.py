"""The fault suite: what a failing service costs, in figures, against real components.

Each test starts from a redis-server of its own on a spare port (the broker and the cache, as
in the README's production setup), an SMTP sink of its own, and a real Celery worker process on
the test database (PostgreSQL); then it breaks one thing and counts. "Lost" is a complaint or a
promised message that never arrives; "doubled" a message the sink received more than once (the
same Message-ID twice). Each prints its figures; run with -s, or read them in CI's output.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from complaints import services
from complaints.models import Complaint
from config.celery import app as celery_app
from notifications.models import Notification
from tests.conftest import spare_port
from tests.factories import SupervisorFactory
from tests.notifications.components import MailServer, broker_at
from tests.publicsite import complaint_data

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 45  # seconds before a wait gives up; a guard against hanging, not a timing
ACK = Notification.Kind.ACKNOWLEDGEMENT
# The worker's clock, shortened so that a fault plays out in seconds rather than hours.
WORKER_CLOCK = {
    "REDRESS_SWEEP_GRACE_SECONDS": "0",
    "REDRESS_NOTIFICATION_RETRY_SECONDS": "1",
    "REDRESS_NOTIFICATION_RETRY_MAX_SECONDS": "1",
    "REDRESS_NOTIFICATION_ALERT_ATTEMPTS": "3",
    "REDRESS_NOTIFICATION_SENDING_TIMEOUT": "3",
}


def report(capsys, fault: str, **figures) -> None:
    with capsys.disabled():
        print(
            f"\nFAULT {fault}: "
            + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in figures.items())
        )


def wait_until(condition, what: str, patience: float = PATIENCE) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.2)


class SlowMailServer(MailServer):
    """The SMTP sink, taking a little while per message as a real server does."""

    delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    def message_ids(self, kind_subject: str = "") -> Counter:
        return Counter(
            message["Message-ID"]
            for message in list(self.messages)
            if kind_subject in str(message["Subject"])
        )


class Worker:
    """`celery -A config worker` as production runs it, in a process group of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.process = env, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "config",
                "worker",
                "--concurrency=2",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=ERROR",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        # Ready once it answers a ping over the broker.
        wait_until(self._answers, "the worker to start", patience=30)

    def _answers(self) -> bool:
        assert self.process.poll() is None, "the worker exited"
        return bool(celery_app.control.ping(timeout=0.5))

    def kill(self) -> None:
        """kill -9 the worker and its pool processes, as a machine dying would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        # The test is over and its broker goes with it: nothing to finish gracefully.
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def sink():
    server = SlowMailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(postgres, redis_server, sink, settings, policy):
    """The broker and cache (redis_server), the SMTP sink and a worker, with the web side set
    up as in production: the test client posts the public form, which reads the same cache."""
    broker, cache = f"{redis_server.url}/0", f"{redis_server.url}/1"
    db = connection.settings_dict
    env = (
        os.environ
        | WORKER_CLOCK
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "fault-suite-secret-key-not-for-production-0123456789-abcdef",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker,
            "CACHE_URL": cache,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "EMAIL_TIMEOUT": "2",
            "REDRESS_AUTO_ASSIGN": "false",
        }
    )
    env.pop("TEST_DATABASE_NAME", None)
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": cache,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.REDRESS_FORM_MIN_SECONDS = 0
    settings.REDRESS_RATE_LIMITS = {"submit": 10_000, "lookup": 10_000, "case_action": 10_000}
    SupervisorFactory(username="sam")  # staff alerts have someone to go to
    with broker_at(broker):
        worker = Worker(env)
        worker.start()
        yield {"redis": redis_server, "sink": sink, "worker": worker, "broker": broker}
        worker.stop()


def submit_on_the_web(client, count: int) -> list[int]:
    return [
        client.post(
            reverse("complaint-new"),
            complaint_data(complainant_email=f"person{number}@example.com"),
        ).status_code
        for number in range(count)
    ]


def sweep(name: str) -> None:
    """Ask the worker for a periodic job now, as beat would: `app.tasks.name`."""
    celery_app.send_task(name)


def acknowledgements(sink) -> Counter:
    return sink.message_ids("We have received your complaint")


def test_broker_down_during_submissions(client, stack, capsys):
    submissions = 20
    stack["redis"].stop()  # the broker and the cache with it
    answers = submit_on_the_web(client, submissions)
    stored = Complaint.objects.count()
    stack["redis"].start()
    sweep("complaints.tasks.acknowledge_received")
    wait_until(lambda: len(acknowledgements(stack["sink"])) >= submissions, "acknowledgements")
    sweep("notifications.tasks.dispatch_pending")  # a second sweep finds nothing more to send
    time.sleep(1)
    sent = acknowledgements(stack["sink"])
    report(
        capsys,
        "broker down",
        submissions=submissions,
        answered=answers.count(302),
        stored=stored,
        lost=submissions - stored,
        acknowledgements=len(sent),
        doubled=sum(sent.values()) - len(sent),
    )
    assert answers == [302] * submissions
    assert stored == submissions
    assert len(sent) == submissions
    assert sum(sent.values()) == len(sent)


def test_cache_down_during_submissions(client, stack, capsys, settings):
    submissions = 20
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{spare_port()}/1",
        }
    }
    answers = submit_on_the_web(client, submissions)
    stored = Complaint.objects.count()
    wait_until(lambda: len(acknowledgements(stack["sink"])) >= stored, "acknowledgements")
    sent = acknowledgements(stack["sink"])
    report(
        capsys,
        "cache down",
        submissions=submissions,
        stored=stored,
        lost=submissions - stored,
        acknowledgements=len(sent),
        doubled=sum(sent.values()) - len(sent),
    )
    assert answers == [302] * submissions
    assert stored == submissions and len(sent) == submissions
    assert sum(sent.values()) == len(sent)


def test_smtp_down_past_the_retry_count_and_back(client, stack, capsys):
    messages = 10
    alert_after = int(WORKER_CLOCK["REDRESS_NOTIFICATION_ALERT_ATTEMPTS"])
    stack["sink"].stop()
    submit_on_the_web(client, messages)
    rows = Notification.objects.filter(kind=ACK)

    def all_past_the_retry_count() -> bool:
        sweep("notifications.tasks.dispatch_pending")
        return rows.count() == messages and all(
            attempts > alert_after for attempts in rows.values_list("attempts", flat=True)
        )

    wait_until(all_past_the_retry_count, "every acknowledgement to fail past the retry count")
    failed_for_good = rows.filter(status=Notification.Status.FAILED).count()
    attempts_while_down = max(rows.values_list("attempts", flat=True))
    stack["sink"].start()

    def all_sent() -> bool:
        sweep("notifications.tasks.dispatch_pending")
        return len(acknowledgements(stack["sink"])) >= messages

    wait_until(all_sent, "the acknowledgements once SMTP is back")
    time.sleep(1.5)  # let any stray retry arrive, to be counted as doubled
    sent = acknowledgements(stack["sink"])
    report(
        capsys,
        "SMTP down past the retry count",
        messages=messages,
        retry_count=alert_after,
        attempts_while_down=attempts_while_down,
        failed_for_good=failed_for_good,
        delivered=len(sent),
        lost=messages - len(sent),
        doubled=sum(sent.values()) - len(sent),
        staff_alerts=Notification.objects.filter(kind="staff_delivery_delayed").count(),
    )
    assert failed_for_good == 0
    assert len(sent) == messages
    assert sum(sent.values()) == len(sent)


def pending_acknowledgements(count: int, monkeypatch) -> None:
    """Write `count` acknowledgements due now with no task queued: a sweep's batch."""
    with monkeypatch.context() as patched:
        for module in ("notifications.services", "complaints.services"):
            patched.setattr(f"{module}.publish", lambda task, ids: None)
        for number in range(count):
            services.complaint_acknowledge(
                complaint=services.complaint_submit(
                    channel="web",
                    complainant_name=f"Person {number}",
                    complainant_email=f"person{number}@example.com",
                    description="Charged twice.",
                )
            )
    assert Notification.objects.filter(kind=ACK, status="pending").count() == count


def test_worker_killed_mid_batch(stack, capsys, monkeypatch):
    messages = 60
    pending_acknowledgements(messages, monkeypatch)
    stack["sink"].delay = 0.05
    sweep("notifications.tasks.dispatch_pending")
    wait_until(lambda: len(acknowledgements(stack["sink"])) >= messages // 3, "a third sent")
    stack["worker"].kill()
    sent_before = len(acknowledgements(stack["sink"]))
    in_flight = Notification.objects.filter(kind=ACK, status="sending").count()
    stack["worker"].start()
    time.sleep(float(WORKER_CLOCK["REDRESS_NOTIFICATION_SENDING_TIMEOUT"]) + 0.5)

    def all_sent() -> bool:
        sweep("notifications.tasks.dispatch_pending")
        return len(acknowledgements(stack["sink"])) >= messages

    wait_until(all_sent, "the rest of the batch after the kill")
    time.sleep(1)
    sent = acknowledgements(stack["sink"])
    doubled = sum(sent.values()) - len(sent)
    report(
        capsys,
        "worker killed mid-batch",
        messages=messages,
        sent_before_the_kill=sent_before,
        in_flight_at_the_kill=in_flight,
        delivered=len(sent),
        lost=messages - len(sent),
        doubled=doubled,
    )
    assert len(sent) == messages
    assert doubled <= in_flight


def test_two_sweeps_at_once(stack, capsys, monkeypatch):
    messages = 40
    pending_acknowledgements(messages, monkeypatch)
    stack["sink"].delay = 0.02
    sweep("notifications.tasks.dispatch_pending")
    sweep("notifications.tasks.dispatch_pending")  # the worker's two processes each take one
    wait_until(lambda: len(acknowledgements(stack["sink"])) >= messages, "the batch")
    time.sleep(1)
    sent = acknowledgements(stack["sink"])
    report(
        capsys,
        "two sweeps at once",
        messages=messages,
        delivered=len(sent),
        lost=messages - len(sent),
        doubled=sum(sent.values()) - len(sent),
    )
    assert len(sent) == messages
    assert sum(sent.values()) == len(sent)
