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
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "redress_bench_public"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAMP = re.compile(r'name="stamp" value="([^"]+)"')


def environment(work: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SESSION_COOKIE_SECURE": "false",
        "DJANGO_CSRF_COOKIE_SECURE": "false",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "REDRESS_PRIVATE_MEDIA_ROOT": str(work / "private"),
        "REDRESS_FORM_MIN_SECONDS": "0",
        "REDRESS_RATE_LIMIT_SUBMIT": "1000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


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


def submit_once(port: int, category: str, index: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/complaints/new/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = "; ".join(
        value.split(";", 1)[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie"
    )
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),
            "stamp": STAMP.search(page).group(1),
            "website": "",
            "complainant_name": f"Bench Client {index}",
            "complainant_email": f"bench{index}@example.com",
            "category": category,
            "incident_date": "2024-03-01",
            "description": "I was charged twice for March; please refund the second charge.",
            "consent": "on",
        }
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookies,
        "Referer": f"http://127.0.0.1:{port}/complaints/new/",
    }
    started = time.perf_counter()
    connection.request("POST", "/complaints/new/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"submission {index} answered {response.status}")
    return elapsed


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def load(port: int, clients: int, per_client: int, category: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        for round_ in range(per_client):
            try:
                elapsed = submit_once(port, category, number * per_client + round_)
            except Exception as exc:  # noqa: BLE001 - reported after the run
                with lock:
                    errors.append(exc)
                continue
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        print(f"errors: {len(errors)}, first: {errors[0]}")
    return wall, latencies


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
    from complaints.forms import new_stamp
    from complaints.models import Category, Complaint

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
        env = environment(work)
        recreate_database()
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "shell", "-c", SEED)
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{options.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_for(options.port)
            import psycopg

            with psycopg.connect(f"{SERVER}/{DATABASE}") as connection:
                category = str(
                    connection.execute(
                        "SELECT id FROM complaints_category WHERE slug = 'charged-twice'"
                    ).fetchone()[0]
                )
            load(options.port, options.clients, 2, category)  # warm up both workers
            wall, latencies = load(options.port, options.clients, options.per_client, category)
        finally:
            server.terminate()
            server.wait(timeout=10)
        latencies.sort()
        print(f"gunicorn 2 workers, PostgreSQL, {options.clients} concurrent clients")
        rate = len(latencies) / wall
        print(f"submissions: {len(latencies)} in {wall:.2f} s = {rate:.1f} per second")
        print(
            f"submission latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
        )
        query_counts(env)


if __name__ == "__main__":
    main()
