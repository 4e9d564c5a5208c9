"""Time the automatic escalation sweep: its cost should follow the cases due, not all open ones.

Run: .venv/bin/python bench/escalations_auto_escalate.py [open cases] [due cases]
(with DATABASE_URL and TEST_DATABASE_NAME to measure on PostgreSQL; it builds a scratch
test database and drops it afterwards).
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
# Measure the sweep, not a broker: the outbox tasks run inline.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from complaints import clock, references  # noqa: E402
from complaints.choices import Channel, DeadlineKind, State  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from escalations.jobs import escalations_auto_escalate_breached  # noqa: E402
from tests.factories import PolicyFactory  # noqa: E402


def build(policy, n: int, *, next_deadline: dt.datetime, offset: int) -> list[Complaint]:
    now = clock.now()
    return [
        Complaint(
            reference=references.generate(),
            tracking_token=f"bench-{offset + i:040d}",
            policy=policy,
            state=State.INVESTIGATING,
            channel=Channel.WEB,
            complainant_name="Bench Mark",
            complainant_email=f"bench{offset + i}@example.com",
            description="Benchmark case.",
            received_at=now - dt.timedelta(days=30),
            acknowledged_at=now - dt.timedelta(days=29),
            resolve_by=next_deadline,
            next_deadline=next_deadline,
            next_deadline_kind=DeadlineKind.RESOLVE,
        )
        for i in range(n)
    ]


def main(open_cases: int, due_cases: int) -> None:
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        policy = PolicyFactory(auto_escalate_on_breach=True)
        now = clock.now()
        Complaint.objects.bulk_create(
            build(policy, open_cases, next_deadline=now + dt.timedelta(days=3), offset=0),
            batch_size=1000,
        )
        Complaint.objects.bulk_create(
            build(policy, due_cases, next_deadline=now - dt.timedelta(hours=1), offset=open_cases)
        )
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            done = escalations_auto_escalate_breached(batch=due_cases)
            elapsed = time.perf_counter() - started
        with CaptureQueriesContext(connection) as idle_queries:
            started = time.perf_counter()
            escalations_auto_escalate_breached()
            idle = time.perf_counter() - started
        print(f"{connection.vendor}: {open_cases} open cases not due, {due_cases} breached")
        print(
            f"  escalated {done} in {elapsed * 1000:.0f} ms, {len(queries)} queries "
            f"({elapsed * 1000 / max(done, 1):.1f} ms per case)"
        )
        print(f"  second run (nothing due): {idle * 1000:.1f} ms, {len(idle_queries)} queries")
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:3]]
    main(*(args + [5000, 100][len(args) :]))
