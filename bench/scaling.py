"""Scaling out on this machine: 1 and 2 web processes, 1 and 2 Celery worker processes.

    .venv/bin/python bench/scaling.py [--complaints 100000] [--messages 2000] [--updates 2000]
        [--memory-messages 10000] [--tag NAME]
    .venv/bin/python bench/scaling.py --memory-only --complaints 2000 [--memory-messages 10000]

Recreates the PostgreSQL database bench_scaling (bench_scaling_NAME with --tag), loads
complaints with bench/loaders.py, starts the tests' SMTP sink (tests/notifications/components.py,
counting instead of keeping) and real Celery workers on Redis (BENCH_REDIS, default db 6;
tests/workers.py), and measures:

- dispatch: `--messages` notifications written at once (their send tasks published on commit),
  drained by 1 and by 2 solo worker processes, each pinned to a core of its own with taskset;
- progress updates: `--updates` open cases due an update; sweep tasks (500 a batch, claimed with
  SKIP LOCKED) and the sends they queue, drained the same way;
- submissions: the public form behind gunicorn with 1 and with 2 sync workers, each pinned to a
  core of its own, under bench/run.py's load (16 keep-alive clients);
- worker memory: a prefork worker (2 pool processes, as deployed) after `--memory-messages`
  messages to the sink: resident memory of the main and pool processes from /proc, read after
  every thousand, so growth per message shows; `--memory-only` measures this alone (a few
  thousand complaints are enough for it to write to).

Throughput is messages or submissions per second and the scaling ratio is the 2-process figure
divided by the 1-process one. The machine has two cores that also run PostgreSQL, Redis, the
SMTP sink and the load generator (and other people's work), so two processes cannot reach 2.0
here; the server CPU per message or submission (from /proc, the processes and their PostgreSQL
backends) shows whether the work per item stays the same, which is what scaling out on more
machines relies on.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.databases import SERVER, database_recreate, in_process_settings  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/6")
PORT = 8781
PATIENCE = 600.0


def counting_sink():
    """The tests' SMTP sink, counting what it receives rather than parsing and keeping it (the
    parsing would take CPU from the workers being measured)."""
    from tests.notifications.components import MailServer

    class CountingSink(MailServer):
        received = 0

        async def handle_DATA(self, server, session, envelope):
            self.received += 1
            return "250 OK"

    return CountingSink()


def backends(monitor, database: str) -> list[int]:
    rows = monitor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    ).fetchall()
    return [pid for (pid,) in rows]


def process_tree(pid: int) -> list[int]:
    from bench.http_load import children

    found = [pid]
    for child in children(pid):
        found += process_tree(child)
    return found


def sent(kind: str) -> int:
    from notifications.models import Notification

    return Notification.objects.filter(kind=kind, status=Notification.Status.SENT).count()


def wait_for_sent(kind: str, total: int) -> None:
    deadline = time.monotonic() + PATIENCE
    while sent(kind) < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {sent(kind)} of {total} {kind} messages sent in time")
        time.sleep(0.1)


def notifications_write(count: int, label: str) -> None:
    """Write `count` pending emails to complainants of open cases in one transaction; their send
    tasks are published when it commits."""
    from django.db import transaction

    from complaints import outbox
    from complaints.models import Complaint
    from notifications.models import Notification
    from notifications.services import notifications_enqueue

    cases = list(
        Complaint.objects.open()
        .exclude(complainant_email="")
        .select_related("policy", "handler", "category")
        .order_by("pk")[:count]
    )
    rows = [
        outbox.to_complainant(
            cases[number % len(cases)],
            Notification.Kind.PROGRESS_UPDATE,
            occurrence=f"bench-{label}-{number}",
            keeps=[],
        )
        for number in range(count)
    ]
    with transaction.atomic():
        notifications_enqueue(filter(None, rows))


class Workers:
    """`count` solo workers, each pinned to a core of its own, and the CPU they spend."""

    def __init__(self, stack: ExitStack, count: int, monitor, database: str, env: dict) -> None:
        from bench.http_load import CpuMeter
        from tests.workers import celery_worker

        self.processes = [
            stack.enter_context(
                celery_worker(REDIS, cpu=number % (os.cpu_count() or 1), flush=number == 0, **env)
            )
            for number in range(count)
        ]
        self.meter = CpuMeter(lambda: [p.pid for p in self.processes] + backends(monitor, database))


def dispatch(workers: Workers, count: int, label: str) -> dict[str, float]:
    from notifications.models import Notification

    kind = Notification.Kind.PROGRESS_UPDATE
    Notification.objects.filter(kind=kind).delete()
    workers.meter.reset()
    started = time.perf_counter()
    notifications_write(count, label)
    wait_for_sent(kind, count)
    seconds = time.perf_counter() - started
    return {"per_second": count / seconds, "cpu_ms": workers.meter.spent() / count * 1000}


def progress_updates(workers: Workers, count: int, database: str) -> dict[str, float]:
    from bench.run import progress_updates_due
    from complaints import jobs
    from complaints.tasks import send_progress_updates
    from notifications.models import Notification

    kind = Notification.Kind.PROGRESS_UPDATE
    Notification.objects.filter(kind=kind).delete()
    progress_updates_due(count, database)
    count = updates_due()
    workers.meter.reset()
    started = time.perf_counter()
    # As many sweeps as batches, and one more per worker to find nothing left: each claims its
    # own batch (SKIP LOCKED) and publishes the sends, which both workers then take.
    for _sweep in range(math.ceil(count / jobs.BATCH) + len(workers.processes)):
        send_progress_updates.delay()
    wait_for_sent(kind, count)
    seconds = time.perf_counter() - started
    return {"per_second": count / seconds, "cpu_ms": workers.meter.spent() / count * 1000}


def updates_due() -> int:
    """Return how many progress updates the job would write now (its query, counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM complaints_promise p"
            " JOIN complaints_complaint c ON c.id = p.complaint_id"
            " WHERE p.kind = 'progress_update' AND p.kept_at IS NULL AND p.released_at IS NULL"
            " AND p.aim <= now() AND c.complainant_email <> ''"
            " AND c.state IN ('received', 'acknowledged', 'investigating', 'escalated')"
        )
        return cursor.fetchone()[0]


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_memory(count: int, env: dict) -> dict:
    """Send `count` messages through a prefork worker (2 pool processes); return the resident
    memory (MiB) of its processes after the warm-up, after each thousand and after the last."""
    from notifications.models import Notification
    from tests.workers import celery_worker

    kind = Notification.Kind.PROGRESS_UPDATE
    Notification.objects.filter(kind=kind).delete()
    with celery_worker(REDIS, concurrency=2, **env) as worker:
        notifications_write(20, "memory-warm-up")
        wait_for_sent(kind, 20)
        before = resident_mib(worker.pid)
        samples: list[tuple[int, float, float]] = []
        done = 20
        started = time.perf_counter()
        while done < count + 20:
            step = min(1000, count + 20 - done)
            notifications_write(step, f"memory-{done}")
            done += step
            wait_for_sent(kind, done)
            after = resident_mib(worker.pid)
            samples.append((done - 20, max(after.values()), sum(after.values())))
            print(
                f"  {done - 20:,} messages: largest process {samples[-1][1]:.0f} MiB, "
                f"all {samples[-1][2]:.0f} MiB",
                flush=True,
            )
        seconds = time.perf_counter() - started
    return {
        "processes": len(after),
        "largest_before": max(before.values()),
        "sum_before": sum(before.values()),
        "largest": max(after.values()),
        "sum": sum(after.values()),
        "per_second": count / seconds,
        "samples": samples,
    }


def resident_mib(pid: int) -> dict[int, float]:
    """Return the resident memory (MiB) of `pid` and its children (the pool processes)."""
    return {process: resident_kib(process) / 1024 for process in process_tree(pid)}


def memory_line(memory: dict, count: int) -> str:
    samples = memory["samples"]
    # Growth from the first thousand on (the first includes the pool's own warm-up).
    first, last = samples[0], samples[-1]
    thousands = max((last[0] - first[0]) / 1000, 1)
    return (
        f"Celery worker (prefork, {memory['processes']} processes) after {count:,} messages "
        f"({memory['per_second']:,.0f}/s): resident memory largest process "
        f"{memory['largest']:.0f} MiB, all processes {memory['sum']:.0f} MiB (after 20 messages: "
        f"{memory['largest_before']:.0f} MiB and {memory['sum_before']:.0f} MiB; from "
        f"{first[0]:,} to {last[0]:,} messages the largest grew "
        f"{(last[1] - first[1]) / thousands:+.2f} MiB per thousand, all "
        f"{(last[2] - first[2]) / thousands:+.2f} MiB)"
    )


def submissions(
    web: int, database: str, work: Path, clients: int, per_client: int, monitor
) -> dict[str, float]:
    from bench.http_load import CpuMeter, children, concurrent, gunicorn
    from bench.redress_site import environment, submit
    from complaints.models import Category

    category = str(Category.objects.get(slug="billing-incorrect-charge").pk)
    env = environment(f"{SERVER}/{database}", work)

    def task(session, number):
        return submit(session, number + 10**6 * web, category)

    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(manage, cwd=ROOT, env=os.environ | env, check=True)
    executable = Path(sys.executable).parent / "gunicorn"
    with gunicorn(executable, "config.wsgi", cwd=ROOT, env=env, port=PORT, workers=web) as server:
        for number, pid in enumerate(children(server.pid)):
            pin = ["taskset", "--pid", "--cpu-list", str(number % 2), str(pid)]
            subprocess.run(pin, check=True, capture_output=True)
        meter = CpuMeter(lambda: children(server.pid) + backends(monitor, database))
        concurrent(clients, 2, task, PORT)  # warm every worker
        meter.reset()
        wall, latencies, errors = concurrent(clients, per_client, task, PORT)
        cpu = meter.spent()
    if errors:
        raise RuntimeError(f"{len(errors)} submissions failed: {errors[0]}")
    return {"per_second": len(latencies) / wall, "cpu_ms": cpu / len(latencies) * 1000}


def ratio_line(name: str, one: dict, two: dict, unit: str) -> str:
    return (
        f"| {name} | {one['per_second']:,.0f} | {two['per_second']:,.0f} "
        f"| {two['per_second'] / one['per_second']:.2f} | {one['cpu_ms']:.1f} "
        f"| {two['cpu_ms']:.1f} | {unit} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--memory-messages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--tag", default="")
    parser.add_argument(
        "--memory-only", action="store_true", help="measure only the worker's memory"
    )
    options = parser.parse_args()
    database = f"bench_scaling_{options.tag}" if options.tag else "bench_scaling"
    work = Path(tempfile.mkdtemp(prefix="redress-bench-scaling-"))
    in_process_settings(database, REDRESS_PRIVATE_MEDIA_ROOT=str(work / "private"))
    os.environ["CELERY_BROKER_URL"] = REDIS
    database_recreate(database)

    import django

    django.setup()
    import psycopg
    from django.core.management import call_command

    from bench.loaders import redress_complaints_load, redress_staff_load

    call_command("migrate", verbosity=0)
    staff = redress_staff_load()
    redress_complaints_load(staff=staff, first=1, last=options.complaints)
    monitor = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    sink = counting_sink()
    sink.start()
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    rows = {}
    if options.memory_only:
        try:
            print(f"A prefork worker, {options.memory_messages:,} messages …", flush=True)
            memory = worker_memory(options.memory_messages, env)
        finally:
            sink.stop()
        print("\n" + memory_line(memory, options.memory_messages))
        return
    try:
        for count in (1, 2):
            print(f"{count} worker process(es): dispatch and progress updates …", flush=True)
            with ExitStack() as stack:
                workers = Workers(stack, count, monitor, database, env)
                dispatch(workers, 20, f"warm-up-{count}")  # both started, connections open
                rows[("dispatch", count)] = dispatch(workers, options.messages, f"d{count}")
                print(f"  dispatch: {rows[('dispatch', count)]}", flush=True)
                rows[("updates", count)] = progress_updates(workers, options.updates, database)
                print(f"  progress updates: {rows[('updates', count)]}", flush=True)
        for web in (1, 2):
            print(f"{web} web process(es): submissions …", flush=True)
            rows[("web", web)] = submissions(
                web, database, work, options.clients, options.per_client, monitor
            )
            print(f"  submissions: {rows[('web', web)]}", flush=True)
        print(f"A prefork worker, {options.memory_messages:,} messages …", flush=True)
        memory = worker_memory(options.memory_messages, env)
    finally:
        sink.stop()
    print(
        f"\n{options.complaints:,} complaints loaded; {os.cpu_count()} cores shared by "
        "everything (see the docstring)\n"
    )
    print(
        "| load | 1 process (/s) | 2 processes (/s) | scaling (2 ÷ 1) "
        "| server CPU, 1 (ms) | server CPU, 2 (ms) | per |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        ratio_line(
            "public submissions (gunicorn)", rows[("web", 1)], rows[("web", 2)], "submission"
        )
    )
    print(
        ratio_line(
            f"dispatch, {options.messages:,} pending (Celery)",
            rows[("dispatch", 1)],
            rows[("dispatch", 2)],
            "message",
        )
    )
    print(
        ratio_line(
            f"progress updates, {options.updates:,} due (Celery)",
            rows[("updates", 1)],
            rows[("updates", 2)],
            "message",
        )
    )
    print("\n" + memory_line(memory, options.memory_messages))


if __name__ == "__main__":
    main()
