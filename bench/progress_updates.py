"""Benchmark the progress-update job: its cost must follow the cases due, not the open cases.

Usage: .venv/bin/python bench/progress_updates.py [--sizes 100000 1000000] [--due-percent 1]

Creates (or empties) the PostgreSQL database `bench_notifications` on 127.0.0.1, loads open
complaints with COPY, marks a fixed number of them due for an update, and runs the job in a fresh
process at each size, printing rows claimed per second, the job's time and its peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "bench_notifications")
sys.path.insert(0, str(ROOT))
from bench.databases import database_recreate, in_process_settings  # noqa: E402

in_process_settings(DATABASE)


def setup_django() -> None:
    import django

    django.setup()


def reference(number: int) -> str:
    from complaints import references

    data = ""
    for _digit in range(references.DATA_LENGTH):
        number, rest = divmod(number, references.BASE)
        data += references.ALPHABET[rest]
    return data + references.check_character(data)


def load(start: int, stop: int, policy_id: int, received: dt.datetime, due_from: int) -> None:
    """COPY complaints numbered start..stop-1; those from `due_from` on are due for an update."""
    from django.db import connection

    from complaints.models import Complaint

    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    now, later, past = received, received + dt.timedelta(days=5), received + dt.timedelta(hours=1)
    overrides = {
        "policy_id": policy_id,
        "state": "acknowledged",
        "channel": "web",
        "complainant_name": "Bench Complainant",
        "description": "A benchmark complaint.",
        "language": "en",
        "received_at": received,
        "acknowledged_at": received,
        "created_at": now,
        "updated_at": now,
        "remedies": "[]",
    }
    columns = ", ".join(f.column for f in fields)
    step = max((stop - start) // 20, 1)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY complaints_complaint ({columns}) FROM STDIN") as copy:
            for number in range(start, stop):
                row = []
                for field in fields:
                    if field.attname == "reference":
                        value = reference(number)
                    elif field.attname == "tracking_token":
                        value = f"bench-{number}"
                    elif field.attname == "complainant_email":
                        value = f"c{number}@example.com"
                    elif field.attname == "next_update_due":
                        value = past if number >= due_from else later
                    elif field.attname in overrides:
                        value = overrides[field.attname]
                    elif field.has_default() and not callable(field.default):
                        value = field.default
                    elif field.null:
                        value = None
                    else:
                        value = ""
                    row.append(json.dumps(value) if isinstance(value, list | dict) else value)
                copy.write_row(row)
                if (number - start) % step == 0:
                    done = number - start
                    print(f"\r  loading {done:>9,} / {stop - start:,}", end="", flush=True)
    print(f"\r  loaded {stop - start:,} complaints{' ' * 20}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")


def run_job_in_fresh_process(at: dt.datetime) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--job", at.isoformat()],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def job(at: str) -> None:
    """Run the progress-update job until nothing is due, as the Celery task does; print figures."""
    import time_machine

    setup_django()
    from django.db import connection

    from complaints import jobs

    connection.ensure_connection()
    with time_machine.travel(dt.datetime.fromisoformat(at), tick=True):
        started = time.perf_counter()
        claimed = jobs.progress_updates_send(batch=1_000_000)
        seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"claimed": claimed, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due-percent", type=float, default=1.0)
    parser.add_argument("--job")
    args = parser.parse_args()
    if args.job:
        job(args.job)
        return

    sizes = sorted(args.sizes)
    due = int(sizes[-1] * args.due_percent / 100)
    print(f"Database {DATABASE}: {due:,} cases due at every size ({args.due_percent}% of the last)")
    database_recreate(DATABASE)
    setup_django()
    from django.core.management import call_command

    from complaints.presets import preset_by_slug, preset_load
    from notifications.models import Notification

    call_command("migrate", verbosity=0)
    policy, _written = preset_load(preset_by_slug("a"))
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    run_at = received + dt.timedelta(days=2)
    loaded, results = 0, []
    for size in sizes:
        started = time.perf_counter()
        # Earlier rows were updated by the previous run; only the newest `due` rows are due now.
        load(loaded, size, policy.pk, received, due_from=size - due)
        print(f"  load took {time.perf_counter() - started:,.1f} s")
        loaded = size
        result = run_job_in_fresh_process(run_at)
        results.append((size, result))
        rate = result["claimed"] / result["seconds"]
        print(
            f"{size:>9,} open, {result['claimed']:,} due: job {result['seconds']:.2f} s, "
            f"{rate:,.0f} rows claimed/s, worker peak memory {result['peak_mib']:.0f} MiB"
        )
        Notification.objects.all().delete()
    if len(results) > 1:
        (small, first), (large, last) = results[0], results[-1]
        print(
            f"time at {large:,} / time at {small:,} open cases: "
            f"{last['seconds'] / first['seconds']:.2f} (same {due:,} due)"
        )


if __name__ == "__main__":
    main()
