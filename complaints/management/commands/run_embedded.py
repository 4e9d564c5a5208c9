"""Run the web server and a Celery worker with beat side by side, as `make run` does.

Both children run in sessions of their own, so the terminal's Ctrl-C reaches only this
command, which then stops them in order (a warm shutdown for the worker) and exits 0. Letting the
signal hit every process at once, as a shell's `kill 0` did, left make reporting a crash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_SECONDS = 10


def child_environment(environ, *, port: int) -> dict[str, str]:
    """Return the environment both children run with."""
    env = dict(environ)
    # Links in emails point at the server actually running, unless the site URL was given.
    if not env.get("REDRESS_SITE_URL"):
        env["REDRESS_SITE_URL"] = f"http://127.0.0.1:{port}"
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # The embedded worker runs as whoever runs `make run`, root in a container too;
        # Celery's warning about root is for brokers that deliver pickled messages from a
        # network, which this local, JSON-only broker does not.
        env["PYTHONWARNINGS"] = "ignore:You're running the worker with superuser privileges"
    return env


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with beat; Ctrl-C stops both cleanly."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port: int, **options):
        env = child_environment(os.environ, port=port)
        python = sys.executable
        children = [
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--concurrency=1",
                    "--loglevel=INFO",
                ],
                env=env,
                start_new_session=True,
            ),
            subprocess.Popen(
                [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
                env=env,
                start_new_session=True,
            ),
        ]
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        self._stop(children)
        if not stopping:
            failed = next(child for child in children if child.returncode is not None)
            raise SystemExit(failed.returncode or 1)
        self.stdout.write("Redress stopped.")

    def _stop(self, children: list[subprocess.Popen]) -> None:
        worker, server = children
        # The worker's main process stops its pool itself (a warm shutdown); the development
        # server's reloader and the server it started are stopped together.
        if worker.poll() is None:
            worker.terminate()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
