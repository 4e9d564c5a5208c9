"""Benchmark: complaint submissions on PostgreSQL behind gunicorn (2 workers), 16 clients.

Creates its own database (redress_bench_public), serves Redress with gunicorn, and lets 16
threads each fetch the form (CSRF cookie, token and stamp) and submit complaints. Prints
submissions per second, p50/p95 latency of the submission POST, and the SQL queries of one
submission and of one case page (with 1 and with 6 messages: the count must not grow).

    .venv/bin/python bench/public_submit.py [--clients 16] [--per-client 25] [--port 8765]

The honeypot's minimum fill time and the per-address rate limit are lifted for the run through
REDRESS_FORM_MIN_SECONDS and REDRESS_RATE_LIMIT_SUBMIT: every client comes from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import SERVER, database_recreate  # noqa: E402
from bench.http_load import concurrent, gunicorn, percentile  # noqa: E402
from bench.redress_site import environment, submit  # noqa: E402

DATABASE = "redress_bench_public"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


SEED = """
from complaints.models import Category, ComplaintPolicy
from complaints.presets import PRESETS, preset_load
policy, _ = preset_load(PRESETS[0])
ComplaintPolicy.objects.update(is_default=False)
ComplaintPolicy.objects.filter(pk=policy.pk).update(is_default=True)
billing = Category.objects.create(name="Billing", slug="billing")
Category.objects.create(name="Charged twice", slug="charged-twice", parent=billing)
"""


def query_counts(env: dict[str, str]) -> None:
    """Count the SQL queries of one submission and of a case page, in-process on the same DB."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from complaints import services
    from complaints.models import Category, Complaint
    from publicsite.forms import new_stamp

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    data = {
        "stamp": new_stamp(),
        "complainant_name": "Query Counter",
        "complainant_email": "queries@example.com",
        "category": str(Category.objects.get(slug="charged-twice").pk),
        "incident_date": "2024-03-01",
        "description": "Counting queries.",
        "consent": "on",
    }
    with CaptureQueriesContext(connection) as submission:
        assert client.post("/complaints/new/", data).status_code == 302
    complaint = Complaint.objects.order_by("-pk").first()
    with CaptureQueriesContext(connection) as page_one:
        client.get(complaint.get_absolute_url())
    for n in range(5):
        services.complaint_record_customer_reply(complaint=complaint, body=f"More {n}.")
    with CaptureQueriesContext(connection) as page_many:
        client.get(complaint.get_absolute_url())
    print(f"queries per submission: {len(submission)}")
    print(f"queries per case page: {len(page_one)} (1 message), {len(page_many)} (6 messages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redress-bench-") as folder:
        work = Path(folder)
        env = os.environ | environment(f"{SERVER}/{DATABASE}", work)
        database_recreate(DATABASE)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "shell", "-c", SEED)
        gunicorn_path = Path(sys.executable).parent / "gunicorn"
        with gunicorn(gunicorn_path, "config.wsgi", cwd=ROOT, env=env, port=options.port):
            import psycopg

            with psycopg.connect(f"{SERVER}/{DATABASE}") as connection:
                category = str(
                    connection.execute(
                        "SELECT id FROM complaints_category WHERE slug = 'charged-twice'"
                    ).fetchone()[0]
                )

            def task(session, index):
                return submit(session, index, category)

            concurrent(options.clients, 2, task, options.port)  # warm up both workers
            wall, latencies, errors = concurrent(
                options.clients, options.per_client, task, options.port
            )
        if errors:
            print(f"errors: {len(errors)}, first: {errors[0]}")
        print(f"gunicorn 2 workers, PostgreSQL, {options.clients} concurrent clients")
        rate = len(latencies) / wall
        print(f"submissions: {len(latencies)} in {wall:.2f} s = {rate:.1f} per second")
        print(
            f"submission latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
        )
        query_counts(env)


if __name__ == "__main__":
    main()
