"""CPU per view, in-process, against a loaded benchmark database: the quick loop for tuning.

    .venv/bin/python bench/profile_pages.py [--load 10000] [--database redress_bench_profile]
        [--repeat 20] [--profile "case page"] [--sort tottime]

With --load N, recreates the database and loads N complaints as bench/run.py does (Redress only,
no django-helpdesk); without it, reuses the database as the last load left it (bench/run.py's
redress_bench, or redress_bench_TAG after a run with --tag, will do). Then, on
production settings (DEBUG off, the cached template loader, Redis cache from BENCH_REDIS),
requests each view through Django's own handler (the test client, without the test
environment's template instrumentation) as bench/run.py's pages and submissions do:

- the queue filtered by state and by handler, the case page and the figures page, as the bench
  supervisor (second factor passed), and the case page as that case's handler;
- the public submission (GET the form, POST it) and the API submission (one POST).

For each it prints the CPU milliseconds per view, this process plus its PostgreSQL backend (read
from /proc, as bench/run.py's CpuMeter reads gunicorn's), and the SQL queries of one view.
--profile NAME runs that view under cProfile and prints the top functions; --dump DIR writes
each page's HTML there (to compare the markup before and after a change); --queries NAME prints
the SQL of one view.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import SERVER, database_recreate  # noqa: E402
from bench.http_load import cpu_seconds  # noqa: E402
from bench.redress_site import STAMP, SUBMIT, environment  # noqa: E402

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def manage(*command: str) -> None:
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)


def load(database: str, scale: int) -> None:
    database_recreate(database)
    manage("migrate", "--noinput", "-v0")
    import django

    django.setup()
    from bench.loaders import redress_complaints_load, redress_staff_load

    staff = redress_staff_load()
    redress_complaints_load(staff=staff, first=1, last=scale)


def api_key_make() -> str:
    """Return the key of a new API client allowed to submit, without a rate limit to speak of."""
    from api.keys import key_generate
    from api.models import ApiClient

    new = key_generate()
    ApiClient.objects.create(
        name=f"Profile app {new.prefix}",
        scopes=["submit", "read"],
        key_prefix=new.prefix,
        key_hash=new.hashed,
        embed_secret="profile",
        rate_limit=10_000_000,
    )
    return new.key


class Meter:
    """CPU seconds of this process and of its database connection's backend."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (self.backend,) = cursor.fetchone()

    def read(self) -> float:
        return time.process_time() + cpu_seconds([self.backend]).get(self.backend, 0.0)


def client_for(username: str | None):
    """Return a test client signed in as `username` with a second factor (None: signed out)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    if username is None:
        return client
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    # Signed in with a second factor, as production asks of every member of staff.
    device = next(iter(devices_for_user(user, confirmed=True)), None)
    if device is None:
        device = StaticDevice.objects.create(user=user, name="profile", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def views(client_for, category: str, api_key: str) -> dict:
    """Return {name: function doing one view}."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.handler_id, c.id, u.username FROM complaints_complaint c"
            " JOIN auth_user u ON u.id = c.handler_id WHERE c.state = 'investigating'"
            " AND c.id % 5 = 4 ORDER BY c.id LIMIT 1"
        )
        handler, case, handler_name = cursor.fetchone()
    queue = "/admin/complaints/complaint/"
    supervisor = client_for("bench-supervisor")
    handler_client = client_for(handler_name)
    public = client_for(None)
    api = client_for(None)
    numbers = iter(range(10**9))

    def get(client, path):
        def view():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.content

        return view

    def submission():
        number = next(numbers)
        page = public.get(SUBMIT).content.decode()
        response = public.post(
            SUBMIT,
            {
                "csrfmiddlewaretoken": TOKEN.search(page).group(1),
                "stamp": STAMP.search(page).group(1),
                "website": "",
                "complainant_name": f"Profile Client {number}",
                "complainant_email": f"profile{number}@example.com",
                "category": category,
                "incident_date": "2024-03-01",
                "description": "I was charged twice for March; please refund the second charge.",
                "consent": "on",
            },
        )
        assert response.status_code == 302, response.status_code

    def api_submission():
        number = next(numbers)
        response = api.post(
            "/api/v1/complaints/",
            json.dumps(
                {
                    "account_identifier": f"CUST-{number}",
                    "complainant_name": f"Profile Client {number}",
                    "complainant_email": f"profile{number}@example.com",
                    "category": int(category),
                    "incident_date": "2024-03-01",
                    "description": "I was charged twice for March; please refund it.",
                }
            ),
            content_type="application/json",
            headers={
                "Authorization": f"Bearer {api_key}",
                "Idempotency-Key": f"profile-{time.time_ns()}-{number}",
            },
        )
        assert response.status_code == 201, response.content

    return {
        "queue page, by state": get(supervisor, f"{queue}?state=investigating"),
        "queue page, by handler": get(supervisor, f"{queue}?handler={handler}"),
        "case page": get(supervisor, f"{queue}{case}/change/"),
        "case page, as its handler": get(handler_client, f"{queue}{case}/change/"),
        "figures page": get(supervisor, "/admin/reports/complaintfigures/"),
        "submission (form GET + POST)": submission,
        "API submission": api_submission,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="redress_bench_profile")
    parser.add_argument("--load", type=int, default=0, help="recreate and load N complaints")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", default="", help="the view to run under cProfile")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--dump", default="", help="a folder to write each page's HTML into")
    parser.add_argument("--queries", default="", help="the view whose SQL to print")
    options = parser.parse_args()
    work = ROOT / "var" / "bench" / options.database
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(f"{SERVER}/{options.database}", work))
    if options.load:
        load(options.database, options.load)
    if not (work / "static" / "staticfiles.json").exists():
        manage("collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Category

    settings.ALLOWED_HOSTS = ["*"]

    category = str(Category.objects.get(slug="billing-incorrect-charge").pk)
    api_key = api_key_make()
    meter = Meter()
    print(f"{'view':32} {'CPU ms':>8} {'queries':>8}")
    for name, view in views(client_for, category, api_key).items():
        view()  # warm: templates compiled, caches filled
        page = view()
        if options.dump and page:
            folder = Path(options.dump)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name.replace(' ', '-').replace(',', '')}.html").write_bytes(page)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            view()
        count = len(queries)  # before the next request clears the log
        if name == options.queries:
            for query in queries.captured_queries:
                print(f"  {query['sql'][:300]}", file=sys.stderr)
        if name == options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(options.repeat):
                view()
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats(options.sort).print_stats(options.top)
        started = meter.read()
        for _ in range(options.repeat):
            view()
        spent = (meter.read() - started) / options.repeat * 1000
        print(f"{name:32} {spent:8.1f} {count:8d}", flush=True)


if __name__ == "__main__":
    main()
