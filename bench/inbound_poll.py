"""Benchmark the IMAP poll: 10 000 emails in a real dovecot mailbox, processed once each.

Usage: .venv/bin/python bench/inbound_poll.py [--messages 10000] [--processes 2]

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1)
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
        started = time.perf_counter()
        polled = 0
        if args.processes == 1:
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
        processed = InboundEmail.objects.exclude(status=InboundEmail.Status.RECEIVED).count()
        print(
            f"poll: {polled:,} messages in {seconds:.1f} s, {processed / seconds:,.0f} messages "
            f"processed/s ({Complaint.objects.count():,} complaints, "
            f"{server.unseen():,} left unseen); server CPU {cpu / max(polled, 1) * 1000:.1f} ms "
            f"per message ({args.processes} process(es) and their PostgreSQL backends)"
        )
        started = time.perf_counter()
        again = inbound_poll()
        print(f"second poll: {again} messages in {time.perf_counter() - started:.2f} s")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
