"""Benchmark: complaints submitted through the API against the public form, same run.

Creates its own database (redress_bench_api), serves Redress with gunicorn (2 workers) on
PostgreSQL, and lets 16 threads submit complaints first through the public form (fetch the form,
post it) and then through POST /api/v1/complaints/ (JSON, with an Idempotency-Key), on the same
server, machine and run. Prints one line with both rates, their p50/p95 latencies, and the server
CPU per submission (gunicorn workers and their PostgreSQL backends, from /proc): unlike the rates,
that does not depend on what else runs on the machine.

    .venv/bin/python bench/api_submit.py [--clients 16] [--per-client 25] [--port 8766]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.keys import key_generate  # noqa: E402
from bench.databases import SERVER, database_recreate  # noqa: E402
from bench.http_load import (  # noqa: E402
    CpuMeter,
    Session,
    children,
    concurrent,
    gunicorn,
    percentile,
)
from bench.redress_site import environment, submit  # noqa: E402

DATABASE = "redress_bench_api"

SEED = """
from api.models import ApiClient
from complaints.models import Category, ComplaintPolicy
from complaints.presets import PRESETS, preset_load
policy, _ = preset_load(PRESETS[0])
ComplaintPolicy.objects.update(is_default=False)
ComplaintPolicy.objects.filter(pk=policy.pk).update(is_default=True)
billing = Category.objects.create(name="Billing", slug="billing")
Category.objects.create(name="Charged twice", slug="charged-twice", parent=billing)
ApiClient.objects.create(
    name="Bench app", scopes=["submit", "read"], key_prefix="{prefix}", key_hash="{hashed}",
    embed_secret="bench", rate_limit=10_000_000,
)
"""


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def api_submit(key: str, category: str):
    def task(session: Session, index: int) -> float:
        body = json.dumps(
            {
                "account_identifier": f"CUST-{index}",
                "complainant_name": f"Bench Client {index}",
                "complainant_email": f"bench{index}@example.com",
                "category": int(category),
                "incident_date": "2024-03-01",
                "description": "I was charged twice for March; please refund the second charge.",
            }
        )
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{index}",
        }
        started = time.perf_counter()
        try:
            session.connection.request("POST", "/api/v1/complaints/", body=body, headers=headers)
            response = session.connection.getresponse()
        except (http.client.HTTPException, OSError):
            session.connection.close()
            session.connection = http.client.HTTPConnection("127.0.0.1", session.port, timeout=120)
            started = time.perf_counter()
            session.connection.request("POST", "/api/v1/complaints/", body=body, headers=headers)
            response = session.connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 201:
            raise RuntimeError(f"API submission {index} answered {response.status}")
        return elapsed

    return task


def report(name: str, wall: float, latencies: list[float], errors: list) -> float:
    rate = len(latencies) / wall
    print(
        f"{name}: {len(latencies)} in {wall:.2f} s = {rate:.1f} per second "
        f"(p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms)"
        + (f", errors: {len(errors)}, first: {errors[0]}" if errors else "")
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--port", type=int, default=8766)
    options = parser.parse_args()
    new = key_generate()
    with tempfile.TemporaryDirectory(prefix="redress-bench-") as folder:
        work = Path(folder)
        env = os.environ | environment(f"{SERVER}/{DATABASE}", work)
        database_recreate(DATABASE)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "shell", "-c", SEED.format(prefix=new.prefix, hashed=new.hashed))
        gunicorn_path = Path(sys.executable).parent / "gunicorn"
        import psycopg

        with (
            gunicorn(gunicorn_path, "config.wsgi", cwd=ROOT, env=env, port=options.port) as server,
            psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as monitor,
        ):
            category = str(
                monitor.execute(
                    "SELECT id FROM complaints_category WHERE slug = 'charged-twice'"
                ).fetchone()[0]
            )

            def pids() -> list[int]:
                rows = monitor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    (DATABASE,),
                )
                return children(server.pid) + [pid for (pid,) in rows]

            meter = CpuMeter(pids)

            def public(session, index):
                return submit(session, index, category)

            api = api_submit(new.key, category)
            concurrent(options.clients, 2, public, options.port)  # warm up both workers
            concurrent(options.clients, 2, lambda s, i: api(s, 10_000_000 + i), options.port)
            meter.reset()
            form = concurrent(options.clients, options.per_client, public, options.port)
            form_cpu = meter.spent() / max(len(form[1]), 1)
            meter.reset()
            through_api = concurrent(options.clients, options.per_client, api, options.port)
            api_cpu = meter.spent() / max(len(through_api[1]), 1)
        print(f"gunicorn 2 workers, PostgreSQL, {options.clients} concurrent clients, same run")
        form_rate = report("public form submissions", *form)
        api_rate = report("API submissions", *through_api)
        print(
            f"server CPU per submission: API {api_cpu * 1000:.1f} ms, "
            f"public form {form_cpu * 1000:.1f} ms"
        )
        print(
            f"submissions per second: API {api_rate:.1f}, public form {form_rate:.1f} "
            f"(form: GET + POST per complaint; API: one POST)"
        )


if __name__ == "__main__":
    main()
