"""Benchmark the IMAP poll: 10 000 emails in a real dovecot mailbox, processed once each.

Usage: .venv/bin/python bench/inbound_poll.py [--messages 10000]

Starts Debian's dovecot on loopback (as the tests do), writes the messages straight into its
Maildir (nine in ten new complaints, one in ten with a PNG attached), recreates the PostgreSQL
database `bench_inbound` on 127.0.0.1, and runs the beat job's batches until the mailbox has no
unseen mail, printing messages processed per second.
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
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

        started = time.perf_counter()
        polled = 0
        while done := inbound_poll():  # one batch a call, as the beat job runs it
            polled += done
        seconds = time.perf_counter() - started
        processed = InboundEmail.objects.exclude(status=InboundEmail.Status.RECEIVED).count()
        print(
            f"poll: {polled:,} messages in {seconds:.1f} s, {processed / seconds:,.0f} messages "
            f"processed/s ({Complaint.objects.count():,} complaints, "
            f"{server.unseen():,} left unseen)"
        )
        started = time.perf_counter()
        again = inbound_poll()
        print(f"second poll: {again} messages in {time.perf_counter() - started:.2f} s")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
