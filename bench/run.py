"""Redress and django-helpdesk side by side, at growing numbers of complaints.

    .venv/bin/python bench/run.py [--scale 10000,100000,1000000] [--rounds 3] [--tag NAME]
        [--reuse]

Recreates two PostgreSQL databases (redress_bench, helpdesk_bench), installs django-helpdesk
pinned into var/bench/helpdesk-venv with a generated project in var/bench/helpdesk_project,
serves both with gunicorn (2 sync workers each), grows both data sets to each scale in turn and
runs the same workload against both, rotating which goes first in each round. With --reuse the
databases of an earlier run are kept and only what is missing up to each scale is loaded (a
1 000 000 load takes about 15 minutes; the runs' own submissions add a few thousand rows).

Beside them, the floor of the stack (bench/floor/): a minimal Django project with no Redress
code, on the same gunicorn settings and PostgreSQL, whose form inserts a complaint with an event
and a promise; it takes the same submission load, and each Redress figure of a submission is
also given as a multiple of the floor's.

- public submission: 16 keep-alive clients each fetch the form and post it; throughput counts
  whole submissions (form and post), latency is the post's;
- the staff queue's first page filtered by an open state and by a handler, and the case page,
  fetched one at a time as a supervisor; helpdesk's ticket list is its page plus the JSON its
  table loads, so both count;
- SQL queries per page counted in-process with CaptureQueriesContext (bench/probe.py), in each
  project's own environment;
- the supervisors' figures: the Redress dashboard and django-helpdesk's reports page, fetched
  three times per round only, since helpdesk's reports page loads every open ticket;
- Redress only: the console search (the queue's ?q=, full-text over the cases and their
  messages) for one complainant's email address and for a word in every case;
- Redress only: one run of the progress-update job with 200 cases due.

Prints one table and writes it to bench/RESULTS.md.

With --tag NAME, two runs can share the machine: the databases are redress_bench_NAME,
helpdesk_bench_NAME and floor_bench_NAME, the ports 100 to 490 higher (an offset of the tag's),
and the table goes to bench/RESULTS-NAME.md (set BENCH_REDIS to a Redis database of your own as
well).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import django_helpdesk  # noqa: E402
from bench.databases import SERVER, database_recreate  # noqa: E402
from bench.http_load import (  # noqa: E402
    CpuMeter,
    Session,
    children,
    concurrent,
    gunicorn,
    page_latencies,
    percentile,
)
from bench.loaders import PASSWORD, SIGN_IN_CODES  # noqa: E402
from bench.redress_site import environment, submit  # noqa: E402

REDRESS_DB, HELPDESK_DB, FLOOR_DB = "redress_bench", "helpdesk_bench", "floor_bench"
REDRESS_PORT, HELPDESK_PORT, FLOOR_PORT = 8771, 8772, 8773
FLOOR = ROOT / "bench" / "floor"
PROGRESS_JOB = "complaints.jobs"
PROGRESS_DUE = 200
SUPERVISOR = "bench-supervisor"
RESULTS = "RESULTS.md"
SIGN_IN = iter(SIGN_IN_CODES)
SERVER_CPU = "server CPU (ms)"
# Pages too slow on one side to fetch 15 times per round at a million (helpdesk's reports).
SLOW_PAGES, SLOW_PAGE_REPEAT = {"figures page"}, 3


@dataclass
class Side:
    name: str
    port: int
    database: str
    submit: object
    pages: dict[str, list[str]] = field(default_factory=dict)
    meter: CpuMeter | None = None
    signs_in: bool = True

    def serve(self, server, monitor) -> None:
        """Meter the CPU of `server`'s gunicorn workers and of their database connections."""

        def pids() -> list[int]:
            rows = monitor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            )
            return children(server.pid) + [pid for (pid,) in rows]

        self.meter = CpuMeter(pids)


def sql(database: str, query: str, params=None):
    import psycopg

    with psycopg.connect(f"{SERVER}/{database}") as connection:
        return connection.execute(query, params).fetchone()


def helpdesk_query(filtering: dict) -> str:
    params = {
        "filtering": filtering,
        "filtering_null": {},
        "sorting": "created",
        "sortreverse": None,
        "search_string": "",
    }
    return base64.b64encode(json.dumps(params).encode()).decode()


def redress_pages() -> dict[str, list[str]]:
    handler, case = sql(
        REDRESS_DB,
        "SELECT handler_id, id FROM complaints_complaint WHERE state = 'investigating'"
        " AND id % 5 = 4 ORDER BY id LIMIT 1",
    )
    queue = "/admin/complaints/complaint/"
    # One complainant's address (a case in the middle of the load), and a word every case has.
    (email,) = sql(
        REDRESS_DB,
        "SELECT complainant_email FROM complaints_complaint WHERE tracking_token = 'bench-' ||"
        " (SELECT count(*) / 2 FROM complaints_complaint WHERE tracking_token LIKE 'bench-%%')",
    )
    return {
        "queue page, by state": [f"{queue}?state=investigating"],
        "queue page, by handler": [f"{queue}?handler={handler}"],
        "case page": [f"{queue}{case}/change/"],
        "figures page": ["/admin/reports/complaintfigures/"],
        "search, an email address": [f"{queue}?{urlencode({'q': email})}"],
        "search, a word in every case": [f"{queue}?q=charged"],
    }


def helpdesk_pages() -> dict[str, list[str]]:
    handler, case = sql(
        HELPDESK_DB,
        "SELECT assigned_to_id, id FROM helpdesk_ticket WHERE status = 1"
        " AND assigned_to_id IS NOT NULL AND id % 5 = 4 ORDER BY id LIMIT 1",
    )
    table = "?draw=1&start=0&length=100"
    return {
        "queue page, by state": [
            "/tickets/?status=1",
            f"/datatables_ticket_list/{helpdesk_query({'status__in': [1]})}{table}",
        ],
        "queue page, by handler": [
            f"/tickets/?assigned_to={handler}",
            f"/datatables_ticket_list/{helpdesk_query({'assigned_to__id__in': [handler]})}{table}",
        ],
        "case page": [f"/tickets/{case}/"],
        "figures page": ["/reports/"],
    }


def helpdesk_submit(queue: int):
    def task(session: Session, index: int) -> float:
        status, _body, elapsed = session.post_form(
            "/tickets/submit/",
            {
                "queue": str(queue),
                "title": f"Charged twice ({index})",
                "body": "I was charged twice for March; please refund the second charge.",
                "priority": "3",
                "submitter_email": f"bench{index}@example.com",
            },
        )
        if status != 302:
            raise RuntimeError(f"submission {index} answered {status}")
        return elapsed

    return task


def floor_environment() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "floorsite.settings",
        "FLOOR_DATABASE": FLOOR_DB,
        "PYTHONPATH": str(FLOOR),
    }


def floor_submit(session: Session, index: int) -> float:
    """Fetch the floor's form, post one complaint; return the seconds the POST took."""
    status, _body, elapsed = session.post_form(
        "/new/",
        {
            "name": f"Bench Client {index}",
            "email": f"bench{index}@example.com",
            "description": "I was charged twice for March; please refund the second charge.",
        },
    )
    if status != 302:
        raise RuntimeError(f"floor submission {index} answered {status}")
    return elapsed


def floor_install() -> None:
    """Recreate the floor's database and create its tables."""
    database_recreate(FLOOR_DB)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v0"],
        cwd=FLOOR,
        env=os.environ | floor_environment(),
        check=True,
    )


def loaded_already(database: str, query: str) -> int:
    """Return how many rows an earlier run's loader left in `database` (0 if it is missing)."""
    import psycopg

    try:
        return sql(database, query)[0]
    except psycopg.OperationalError:
        return 0


def probe(side: str, env: dict[str, str], pages: dict[str, list[str]], job: bool) -> dict:
    python, cwd = (
        (sys.executable, ROOT)
        if side == "redress"
        else (django_helpdesk.PYTHON, django_helpdesk.PROJECT)
    )
    args = [str(python), str(ROOT / "bench" / "probe.py"), "--user", SUPERVISOR]
    args += ["--pages", json.dumps(pages)] + (["--job", PROGRESS_JOB] if job else [])
    result = subprocess.run(
        args, cwd=cwd, env=os.environ | env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"probe failed for {side}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def progress_updates_due(count: int, database: str = "") -> None:
    """Make exactly `count` open cases due a progress update, whatever the scale, so the job's
    figures compare across scales: the work is the same, only the table around it grows."""
    import psycopg

    with psycopg.connect(f"{SERVER}/{database or REDRESS_DB}", autocommit=True) as connection:
        # The open progress-update promises: their aim is when the job writes them.
        owed = "kind = 'progress_update' AND kept_at IS NULL AND released_at IS NULL"
        connection.execute(
            "UPDATE complaints_promise SET aim = now() + interval '1 day',"
            f" \"limit\" = now() + interval '26 hours' WHERE {owed} AND aim <= now()"
        )
        connection.execute(
            "UPDATE complaints_promise SET aim = now() - interval '1 hour'"
            f" WHERE id IN (SELECT id FROM complaints_promise WHERE {owed} AND aim IS NOT NULL"
            " ORDER BY id DESC LIMIT %s)",
            (count,),
        )


def settle(*databases: str) -> None:
    """Write out what the loads left in memory, so no checkpoint runs during the measurements
    (the loaders VACUUM ANALYZE their tables themselves)."""
    import psycopg

    for database in databases:
        with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as connection:
            connection.execute("CHECKPOINT")


def measure_side(side: Side, figures: dict, clients: int, per_client: int, repeat: int) -> None:
    # Warm both workers (templates compiled, connections open) before the clock runs.
    concurrent(2, 3, lambda session, n: side.submit(session, 10**7 + n), side.port)
    side.meter.reset()
    wall, latencies, errors = concurrent(clients, per_client, side.submit, side.port)
    cpu = side.meter.spent()
    if errors:
        raise RuntimeError(f"{side.name}: {len(errors)} submissions failed: {errors[0]}")
    add = figures.setdefault
    add("submissions per second", []).append(len(latencies) / wall)
    add("submission p50 (ms)", []).append(percentile(latencies, 0.5) * 1000)
    add("submission p95 (ms)", []).append(percentile(latencies, 0.95) * 1000)
    add(f"submission: {SERVER_CPU}", []).append(cpu / len(latencies) * 1000)
    if not side.signs_in:
        return
    session = Session(side.port)
    # Redress's supervisors sign in with a second factor (a recovery code of the bench's).
    extra = {"otp_token": next(SIGN_IN)} if side.name == "Redress" else {}
    session.login("/admin/login/?next=/admin/", SUPERVISOR, PASSWORD, **extra)
    for name, paths in side.pages.items():
        warm, times = (1, min(repeat, SLOW_PAGE_REPEAT)) if name in SLOW_PAGES else (2, repeat)
        page_latencies(session, paths, warm)  # warm this worker's caches
        side.meter.reset()
        timings = page_latencies(session, paths, times)
        cpu = side.meter.spent()
        add(f"{name} p50 (ms)", []).append(statistics.median(timings) * 1000)
        add(f"{name} p95 (ms)", []).append(percentile(timings, 0.95) * 1000)
        add(f"{name}: {SERVER_CPU}", []).append(cpu / times * 1000)


def tag_apply(tag: str) -> None:
    """Use databases, ports and a results file of this tag's own, beside an untagged run."""
    global REDRESS_DB, HELPDESK_DB, FLOOR_DB, REDRESS_PORT, HELPDESK_PORT, FLOOR_PORT, RESULTS
    if not tag.isidentifier():
        raise SystemExit(f"--tag {tag!r}: use letters, digits and underscores")
    REDRESS_DB, HELPDESK_DB = f"{REDRESS_DB}_{tag}", f"{HELPDESK_DB}_{tag}"
    FLOOR_DB = f"{FLOOR_DB}_{tag}"
    # Ports of the tag's own, so that two tagged runs (two engineers) can share the machine too.
    offset = 100 + 10 * (zlib.crc32(tag.encode()) % 40)
    REDRESS_PORT, HELPDESK_PORT, FLOOR_PORT = (
        REDRESS_PORT + offset,
        HELPDESK_PORT + offset,
        FLOOR_PORT + offset,
    )
    RESULTS = f"RESULTS-{tag}.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--tag", default="", help="suffix databases, ports and results file")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the databases of an earlier run and load only what is missing",
    )
    options = parser.parse_args()
    if options.tag:
        tag_apply(options.tag)
    scales = sorted(int(n) for n in options.scale.split(","))
    started = time.time()

    print("Installing django-helpdesk into var/bench/helpdesk-venv …")
    django_helpdesk.install()
    django_helpdesk.project_write()
    work = Path(tempfile.mkdtemp(prefix="redress-bench-"))
    redress_env = environment(f"{SERVER}/{REDRESS_DB}", work)
    helpdesk_env = django_helpdesk.environment(HELPDESK_DB)
    redress_loaded = helpdesk_loaded = 0
    if options.reuse:
        redress_loaded = loaded_already(
            REDRESS_DB,
            "SELECT count(*) FROM complaints_complaint WHERE tracking_token LIKE 'bench-%%'",
        )
        helpdesk_loaded = loaded_already(
            HELPDESK_DB,
            "SELECT count(*) FROM helpdesk_ticket WHERE title LIKE 'Charged twice, month %%'",
        )
        print(f"Reusing {redress_loaded:,} complaints and {helpdesk_loaded:,} tickets")
    if not redress_loaded:
        database_recreate(REDRESS_DB)
    if not helpdesk_loaded:
        database_recreate(HELPDESK_DB)
    floor_install()
    os.environ.update(redress_env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    django_helpdesk.manage(HELPDESK_DB, "migrate", "--noinput")

    import django

    django.setup()
    import psycopg

    from bench.loaders import redress_complaints_load, redress_staff_load
    from complaints.models import Category

    staff = redress_staff_load()
    django_helpdesk.staff_load(HELPDESK_DB, handlers=len(staff.handler_ids), password=PASSWORD)
    category = str(Category.objects.get(slug="billing-incorrect-charge").pk)
    (queue,) = sql(HELPDESK_DB, "SELECT min(id) FROM helpdesk_queue")
    helpdesk_connection = psycopg.connect(f"{SERVER}/{HELPDESK_DB}", autocommit=True)

    sides = [
        Side("Redress", REDRESS_PORT, REDRESS_DB, lambda session, n: submit(session, n, category)),
        Side("django-helpdesk", HELPDESK_PORT, HELPDESK_DB, helpdesk_submit(queue)),
        Side("floor", FLOOR_PORT, FLOOR_DB, floor_submit, signs_in=False),
    ]
    monitor = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    results: dict[int, dict[str, dict[str, float | None]]] = {}
    with (
        gunicorn(
            Path(sys.executable).parent / "gunicorn",
            "config.wsgi",
            cwd=ROOT,
            env=redress_env,
            port=REDRESS_PORT,
        ) as redress_server,
        gunicorn(
            django_helpdesk.GUNICORN,
            "hdproject.wsgi",
            cwd=django_helpdesk.PROJECT,
            env=helpdesk_env,
            port=HELPDESK_PORT,
        ) as helpdesk_server,
        gunicorn(
            Path(sys.executable).parent / "gunicorn",
            "floorsite.wsgi",
            cwd=FLOOR,
            env=floor_environment(),
            port=FLOOR_PORT,
        ) as floor_server,
    ):
        sides[0].serve(redress_server, monitor)
        sides[1].serve(helpdesk_server, monitor)
        sides[2].serve(floor_server, monitor)
        for scale in scales:
            print(f"Loading {scale:,} complaints and tickets …")
            if redress_loaded < scale:
                redress_complaints_load(staff=staff, first=redress_loaded + 1, last=scale)
                redress_loaded = scale
            if helpdesk_loaded < scale:
                django_helpdesk.tickets_load(
                    helpdesk_connection, first=helpdesk_loaded + 1, last=scale
                )
                helpdesk_loaded = scale
            settle(REDRESS_DB, HELPDESK_DB)
            sides[0].pages, sides[1].pages = redress_pages(), helpdesk_pages()
            figures: dict[str, dict[str, list[float]]] = {side.name: {} for side in sides}
            for round_ in range(options.rounds):
                # Each side goes first in turn: the first after a pause has a cooler machine.
                turn = round_ % len(sides)
                for side in sides[turn:] + sides[:turn]:
                    print(f"  {scale:,}: round {round_ + 1}, {side.name} …")
                    measure_side(
                        side,
                        figures[side.name],
                        options.clients,
                        options.per_client,
                        options.repeat,
                    )
            progress_updates_due(PROGRESS_DUE)
            redress_probe = probe("redress", redress_env, sides[0].pages, job=True)
            helpdesk_probe = probe("helpdesk", helpdesk_env, sides[1].pages, job=False)
            results[scale] = collect(figures, redress_probe, helpdesk_probe)
            print(table({scale: results[scale]}))
    elapsed = time.time() - started
    text = table(results)
    print(text)
    write_results(text, scales, elapsed, options)


def collect(figures, redress_probe: dict, helpdesk_probe: dict) -> dict:
    """Return {figure: {side: value}}: medians over the rounds, and the query counts."""
    rows: dict[str, dict[str, float | None]] = {}
    for side, values in figures.items():
        for name, samples in values.items():
            rows.setdefault(name, {})[side] = statistics.median(samples)
    for side, found in (("Redress", redress_probe), ("django-helpdesk", helpdesk_probe)):
        for name, count in found["queries"].items():
            rows.setdefault(f"{name}: SQL queries", {})[side] = count
    job = redress_probe["job"]
    due = f"{PROGRESS_DUE} due"
    rows[f"progress-update job, {due} (ms)"] = {"Redress": job["ms"] if job else None}
    rows[f"progress-update job, {due}: SQL queries"] = {"Redress": job["queries"] if job else None}
    return rows


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "n/a" if not a or b is None else f"{b / a:.2f}"


def table(results: dict[int, dict]) -> str:
    """One Markdown table: figures per scale, helpdesk ÷ Redress, Redress ÷ the floor, and
    growth over the scales."""
    lines = [
        "| figure | complaints | Redress | django-helpdesk | helpdesk ÷ Redress "
        "| floor | Redress ÷ floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    scales = sorted(results)
    names = list(dict.fromkeys(name for rows in results.values() for name in rows))
    for name in names:
        for scale in scales:
            row = results[scale].get(name, {})
            redress, helpdesk, floor = (
                row.get("Redress"),
                row.get("django-helpdesk"),
                row.get("floor"),
            )
            # Higher is better only for throughput: keep "above 1 means Redress is ahead".
            ahead = ratio(helpdesk, redress) if "per second" in name else ratio(redress, helpdesk)
            floor_cells = (
                "| |" if floor is None else f"| {number(floor)} | {ratio(floor, redress)} |"
            )
            lines.append(
                f"| {name} | {scale:,} | {number(redress)} | {number(helpdesk)} | {ahead} "
                + floor_cells
            )
        if len(scales) > 1:
            first, last = results[scales[0]].get(name, {}), results[scales[-1]].get(name, {})
            lines.append(
                f"| {name} | growth {scales[0]:,} → {scales[-1]:,} "
                f"| ×{ratio(first.get('Redress'), last.get('Redress'))} "
                f"| ×{ratio(first.get('django-helpdesk'), last.get('django-helpdesk'))} | "
                + (
                    "| |"
                    if first.get("floor") is None
                    else f"| ×{ratio(first.get('floor'), last.get('floor'))} | |"
                )
            )
    return "\n".join(lines)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    postgres = sql(REDRESS_DB, "SHOW server_version")[0]
    import django

    return (
        f"{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB memory; Python "
        f"{platform.python_version()}; PostgreSQL {postgres}; Redress on Django "
        f"{django.get_version()}; {django_helpdesk.versions()}"
    )


def write_results(text: str, scales: list[int], elapsed: float, options) -> None:
    command = f"python bench/run.py --scale {','.join(map(str, scales))}"
    (ROOT / "bench" / RESULTS).write_text(
        f"""# Redress and django-helpdesk side by side

Run {dt.date.today().isoformat()} with `{command}`
({elapsed / 60:.0f} minutes including loading).

Machine: {machine()}.

Both behind gunicorn, 2 sync workers each, on the same PostgreSQL. Submissions: {options.clients}
concurrent keep-alive clients, {options.per_client} submissions each, per round; each submission
fetches the form and posts it; throughput counts whole submissions, latency is the post's. Pages:
fetched one at a time as a supervisor, {options.repeat} times after two warm-up fetches, per round
(the figures page, the Redress dashboard and django-helpdesk's reports page /reports/:
{min(options.repeat, SLOW_PAGE_REPEAT)} times after one);
django-helpdesk's queue page is its ticket list plus the JSON its table loads (100 rows, as the
Redress queue shows 100). The console search is the queue with ?q=: one complainant's email
address (one case), and "charged", a word in every case's description.

The floor (bench/floor/) is a minimal Django project with no Redress code, on the same gunicorn
settings and PostgreSQL: sessions, CSRF, a form, and per post one complaint with an event and a
promise inserted in one transaction. It takes the same submission load; "Redress ÷ floor" is the
Redress figure divided by the floor's (for throughput, below 1 means slower than the floor).

"Server CPU" is the CPU time the two gunicorn workers and their PostgreSQL backends spent per
submission or page view (read from /proc): unlike the timings, it does not depend on what else
runs on the two cores, such as the load generator or other people's work; throughput and
latencies do, and are noisy on this shared machine. Figures are the medians over
{options.rounds} rounds, each side going first in turn. SQL queries are counted in-process with
Django's CaptureQueriesContext on a second, warm request (bench/probe.py). "helpdesk ÷ Redress"
above 1 means Redress is ahead (for throughput it is Redress ÷ helpdesk). Growth is the figure at
the largest scale divided by the one at the smallest. Each database is VACUUM ANALYZEd after
loading, as autovacuum would do after such an insert.

{text}
"""
    )


if __name__ == "__main__":
    main()
