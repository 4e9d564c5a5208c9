"""The figures page and the console search, in-process, against a loaded benchmark database.

    .venv/bin/python bench/figures_search.py --database redress_bench_1m [--repeat 20]
        [--only "search, a word in every case"] [--queries NAME]

Reuses a database loaded by bench/profile_pages.py --load N (or bench/run.py). On production
settings (DEBUG off), as the bench supervisor (second factor passed) and as one handler, requests
through Django's own handler: the figures page (default period, the last 90 days), and the queue
searched for a word in every case ("charged"), one complainant's email address, one name, and a
reference prefix found in about a thousand cases. Also times `dashboard_figures` alone.

For each it prints the wall milliseconds per call (p50 and p95 of --repeat calls), the CPU
milliseconds per call (this process plus its PostgreSQL backend, as profile_pages.py reads them),
the SQL queries of one call and, for a search page, the cases listed and the count shown. With
--serial, PostgreSQL runs no parallel workers, so all of its CPU is the measured backend's.
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

from bench.databases import SERVER  # noqa: E402
from bench.profile_pages import Meter, client_for  # noqa: E402
from bench.redress_site import environment  # noqa: E402

QUEUE = "/admin/complaints/complaint/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="redress_bench_profile")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="time only the calls whose name has this")
    parser.add_argument("--queries", default="", help="the call whose SQL to print")
    parser.add_argument(
        "--serial",
        action="store_true",
        help="no parallel workers: their CPU is not this backend's, so it would go unmeasured",
    )
    options = parser.parse_args()
    work = ROOT / "var" / "bench" / options.database
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(f"{SERVER}/{options.database}", work))
    # One connection for the whole run: the meter reads its backend's CPU.
    os.environ["DATABASE_CONN_MAX_AGE"] = "86400"
    if not (work / "static" / "staticfiles.json").exists():
        import subprocess

        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
        )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from complaints import clock
    from reports.dashboard import dashboard_figures
    from reports.forms import DEFAULT_DAYS
    from reports.periods import last_days

    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reference, complainant_name, complainant_email FROM complaints_complaint"
            " WHERE id >= (SELECT max(id) * 3 / 4 FROM complaints_complaint) ORDER BY id LIMIT 1"
        )
        reference, name, email = cursor.fetchone()
        cursor.execute(
            "SELECT u.username FROM complaints_complaint c JOIN auth_user u ON u.id = c.handler_id"
            " WHERE c.state = 'investigating' ORDER BY c.id LIMIT 1"
        )
        (handler_name,) = cursor.fetchone()
    prefix = reference[:-3]

    supervisor = client_for("bench-supervisor")
    handler = client_for(handler_name)

    def page(client, path, search=False):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if search:
                changelist = response.context_data["cl"] if response.context_data else None
                return changelist
            return None

        return call

    def figures():
        now = clock.now()
        period = last_days(timezone.localdate(now), DEFAULT_DAYS)
        return dashboard_figures(period=period, category=None, now=now)

    calls = {
        "dashboard_figures (selector)": figures,
        "figures page": page(supervisor, "/admin/reports/complaintfigures/"),
        'search, a word in every case ("charged")': page(supervisor, f"{QUEUE}?q=charged", True),
        f"search, an email address ({email})": page(supervisor, f"{QUEUE}?q={email}", True),
        f'search, a name ("{name}")': page(supervisor, f"{QUEUE}?q={name}", True),
        f"search, a reference prefix ({prefix})": page(supervisor, f"{QUEUE}?q={prefix}", True),
        'search as a handler ("charged")': page(handler, f"{QUEUE}?q=charged", True),
        f'search as a handler ("{name}")': page(handler, f"{QUEUE}?q={name}", True),
    }
    meter = Meter()
    if options.serial:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    print(f"{'call':52} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}  found")
    for label, call in calls.items():
        if options.only and options.only not in label:
            continue
        result = call()  # warm
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            result = call()
        count = len(queries)  # before the next request clears the log
        if label == options.queries:
            for query in queries.captured_queries:
                print(f"  {query['sql']}\n", file=sys.stderr)
        walls = []
        started = meter.read()
        for _ in range(options.repeat):
            began = time.perf_counter()
            call()
            walls.append((time.perf_counter() - began) * 1000)
        cpu = (meter.read() - started) / options.repeat * 1000
        walls.sort()
        p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
        found = ""
        if result is not None and hasattr(result, "result_count"):
            found = f"{len(result.result_list)} listed, count {result.result_count}"
        print(
            f"{label[:52]:52} {statistics.median(walls):8.1f} {p95:8.1f} {cpu:8.1f}"
            f" {count:8d}  {found}",
            flush=True,
        )


if __name__ == "__main__":
    main()
