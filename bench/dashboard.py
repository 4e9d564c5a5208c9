"""Benchmark: the supervisors' dashboard at 100 000 and 1 000 000 complaints on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--database-url postgres://postgres@127.0.0.1:5432/redress_bench_dashboard]
    .venv/bin/python bench/dashboard.py --database-url … --existing

Recreates the benchmark database (never the one in DATABASE_URL), loads complaints with
bench/loaders.py, then prints the dashboard's render time through the Django test client
as a supervisor: the first (cold) request and the median of five warm ones, for the default
period (the last 90 days) and for a whole year, with the SQL queries of one request and this
process's CPU time per request (the rest of the time is the database's). With --existing,
measures the database as it is loaded, without recreating it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.databases import database_recreate  # noqa: E402

STEPS = [100_000, 1_000_000]
RUNS = 6
SUPERVISOR = "bench-supervisor"  # as bench/loaders.py names them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/redress_bench_dashboard"
        ),
    )
    parser.add_argument(
        "--existing", action="store_true", help="measure the loaded database, without reloading"
    )
    args = parser.parse_args()
    server, _slash, name = args.database_url.rpartition("/")
    if not args.existing:
        database_recreate(name, server)
        print(f"Recreated database {name}.")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ.pop("TEST_DATABASE_NAME", None)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.loaders import redress_complaints_load, redress_staff_load

    call_command("migrate", verbosity=0)
    if args.existing:
        from complaints.models import Complaint

        supervisor = get_user_model().objects.get(username=SUPERVISOR)
        measure(Complaint.objects.count(), supervisor)
        return
    staff = redress_staff_load()
    supervisor = get_user_model().objects.get(username=staff.supervisor_username)
    loaded = 0
    for target in STEPS:
        redress_complaints_load(staff=staff, first=loaded + 1, last=target)
        loaded = target
        measure(target, supervisor)


def measure(count: int, supervisor) -> None:
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(supervisor)
    url = reverse("admin:reports_complaintfigures_changelist")
    today = dt.date.today()
    periods = {
        "last 90 days (default)": {},
        "last 365 days": {"first": (today - dt.timedelta(days=364)).isoformat()},
    }
    for label, params in periods.items():
        timings, cpu = [], []
        for _run in range(RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert response.status_code == 200, response.status_code
        warm = statistics.median(timings[1:])
        print(
            f"{count:>9,} complaints, {label}: first {timings[0] * 1000:.0f} ms, "
            f"warm median {warm * 1000:.0f} ms (Python CPU "
            f"{statistics.median(cpu[1:]) * 1000:.0f} ms), {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
