"""Benchmark the IMAP poll: 10 000 emails in a real dovecot mailbox, processed once each.

Usage: .venv/bin/python bench/inbound_poll.py [--messages 10000] [--processes 2]
       .venv/bin/python bench/inbound_poll.py --messages 1000 --count [--profile tottime]

Starts Debian's dovecot on loopback (as the tests do), writes the messages straight into its
Maildir (nine in ten new complaints, one in ten with a PNG attached), recreates the PostgreSQL
database `bench_inbound` on 127.0.0.1, and runs the beat job's batches until the mailbox has no
unseen mail, printing messages processed per second. With --processes N, N poller processes at
once, each with its own share of the mailbox (as N worker processes with
REDRESS_INBOUND_POLLERS=N do); the time runs from their start to the last one's end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "bench_inbound")
sys.path.insert(0, str(ROOT))
from bench.databases import database_recreate, in_process_settings  # noqa: E402

in_process_settings(
    DATABASE, REDRESS_PRIVATE_MEDIA_ROOT=tempfile.mkdtemp(prefix="redress-bench-files-")
)


def fill_maildir(server, count: int) -> None:
    """Write `count` messages into the Maildir's new/ (what a delivery agent does)."""
    from tests.inbound.emails import email, png_bytes

    png = png_bytes()
    for folder in ("new", "cur", "tmp"):
        (server.maildir / folder).mkdir(parents=True, exist_ok=True)
    for number in range(count):
        attachments = [("photo.png", png, "image/png")] if number % 10 == 0 else []
        raw = email(
            sender=f"Complainant {number} <c{number}@example.com>",
            subject=f"Complaint number {number}",
            text=f"Order {number} arrived broken.\nPlease refund it.",
            attachments=attachments,
        )
        (server.maildir / "new" / f"{number}.bench.redress").write_bytes(raw)
    for path in [server.maildir, *server.maildir.rglob("*")]:
        os.chown(path, server.uid, server.gid)


def imap_server_cpu(server) -> float:
    """Return the CPU seconds dovecot has used: its live processes, and through their
    children's times the ones that have exited (a poll's imap process, when it ends)."""
    from bench.http_load import children

    ticks = os.sysconf("SC_CLK_TCK")
    spent, pids = 0.0, [server._process.pid]
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited: its time is in its parent's children's times
        spent += sum(int(value) for value in fields[11:15]) / ticks
        pids += children(pid)
    return spent


def poll_share(share: int, shares: int) -> None:
    """One poller process: its share of the mailbox, a batch at a time; print how many."""
    import django

    django.setup()
    from django.db import connection

    from bench.http_load import cpu_seconds
    from inbound.imap import inbound_poll

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    before = sum(cpu_seconds([os.getpid(), backend]).values())  # Django's start-up
    polled = 0
    while done := inbound_poll(share=share, shares=shares):
        polled += done
    print(polled, sum(cpu_seconds([os.getpid(), backend]).values()) - before)


def counted(inbound_poll, sort: str | None) -> int:
    """Poll counting SQL statements and commits and the CPU spent in the shared
    `complaint_submit` (this process and its PostgreSQL backend), under cProfile with `sort`
    (CPU time, not wall time: the machine is shared); print them; return how many were polled."""
    import cProfile
    import pstats

    from django.db import connection

    from bench.http_load import cpu_seconds
    from inbound import services

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    pids = [os.getpid(), backend]
    shared = {"cpu": 0.0}
    complaint_submit = services.complaint_submit

    def measured_submit(**kwargs):
        before = sum(cpu_seconds(pids).values())
        try:
            return complaint_submit(**kwargs)
        finally:
            shared["cpu"] += sum(cpu_seconds(pids).values()) - before

    statements = {"all": 0, "commits": 0}

    def count(execute, sql, params, many, context):
        statements["all"] += 1
        return execute(sql, params, many, context)

    def count_commit(commit):
        def counted():
            statements["commits"] += 1
            return commit()

        return counted

    connection.connection.commit = count_commit(connection.connection.commit)
    services.complaint_submit = measured_submit
    polled = 0
    profile = cProfile.Profile(time.process_time)
    started = cpu_seconds(pids)
    try:
        with connection.execute_wrapper(count):
            if sort:
                profile.enable()
            while done := inbound_poll():
                polled += done
            profile.disable()
    finally:
        services.complaint_submit = complaint_submit
    ended = cpu_seconds(pids)
    spent = {pid: ended[pid] - started[pid] for pid in pids}
    if sort:
        stats = Path(tempfile.gettempdir()) / "inbound_poll.prof"
        profile.dump_stats(stats)
        pstats.Stats(profile).sort_stats(sort).print_stats(40)
        print(f"(all of it in {stats})")
    per = 1000 / max(polled, 1)
    print(
        f"{statements['all'] * per / 1000:.1f} SQL statements and "
        f"{statements['commits'] * per / 1000:.2f} commits per message; CPU"
        f"{' (profiled)' if sort else ''} {sum(spent.values()) * per:.1f} ms per message (this "
        f"process {spent[os.getpid()] * per:.1f}, its PostgreSQL backend "
        f"{spent[backend] * per:.1f}), of which complaint_submit {shared['cpu'] * per:.1f} ms"
    )
    return polled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--profile",
        choices=["tottime", "cumulative"],
        help="with one process: cProfile the poll (and --count)",
    )
    parser.add_argument(
        "--count",
        action="store_true",
        help="with one process: count SQL statements and commits, and the CPU of complaint_submit",
    )
    parser.add_argument("--share", type=int)
    parser.add_argument("--shares", type=int)
    args = parser.parse_args()
    if args.share is not None:
        poll_share(args.share, args.shares)
        return
    database_recreate(DATABASE)
    import django

    django.setup()
    from django.conf import settings

    from tests.inbound.dovecot import Dovecot

    server = Dovecot()
    server.start()
    try:
        started = time.perf_counter()
        fill_maildir(server, args.messages)
        print(
            f"{args.messages:,} messages written to the Maildir in "
            f"{time.perf_counter() - started:.1f} s"
        )
        settings.REDRESS_IMAP_URL = server.url
        from django.core.management import call_command

        from complaints.models import Complaint
        from complaints.presets import preset_by_slug, preset_load
        from inbound.imap import inbound_poll
        from inbound.models import InboundEmail

        call_command("migrate", verbosity=0)
        preset_load(preset_by_slug("a"))

        import psycopg

        from bench.databases import SERVER
        from bench.http_load import CpuMeter

        monitor = psycopg.connect(f"{SERVER}/postgres", autocommit=True)

        def pids() -> list[int]:
            rows = monitor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (DATABASE,)
            ).fetchall()
            return [os.getpid()] + [pid for (pid,) in rows]

        # CPU time of the pollers and their PostgreSQL backends: unlike messages per second, it
        # does not depend on what else the two cores are doing.
        meter = CpuMeter(pids)
        meter.reset()
        imap_before = imap_server_cpu(server)
        started = time.perf_counter()
        polled = 0
        if args.processes == 1 and (args.profile or args.count):
            polled = counted(inbound_poll, args.profile)
        elif args.processes == 1:
            while done := inbound_poll():  # one batch a call, as the beat job runs it
                polled += done
        else:
            pollers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--share",
                        str(share),
                        "--shares",
                        str(args.processes),
                    ],
                    env=os.environ | {"REDRESS_IMAP_URL": server.url, "BENCH_DATABASE": DATABASE},
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for share in range(args.processes)
            ]
            # Each poller reports its count and the CPU it and its backend spent before it exits.
            reports = [poller.communicate()[0].split()[-2:] for poller in pollers]
            polled = sum(int(count) for count, _cpu in reports)
        seconds = time.perf_counter() - started
        cpu = meter.spent() if args.processes == 1 else sum(float(cpu) for _n, cpu in reports)
        imap_cpu = imap_server_cpu(server) - imap_before
        processed = InboundEmail.objects.exclude(status=InboundEmail.Status.RECEIVED).count()
        print(
            f"poll: {polled:,} messages in {seconds:.1f} s, {processed / seconds:,.0f} messages "
            f"processed/s ({Complaint.objects.count():,} complaints, "
            f"{server.unseen():,} left unseen); server CPU {cpu / max(polled, 1) * 1000:.1f} ms "
            f"per message ({args.processes} process(es) and their PostgreSQL backends; dovecot "
            f"besides {imap_cpu / max(polled, 1) * 1000:.1f} ms)"
        )
        started = time.perf_counter()
        again = inbound_poll()
        print(f"second poll: {again} messages in {time.perf_counter() - started:.2f} s")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
