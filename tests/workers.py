"""A real Celery worker for end-to-end tests: `celery -A config worker` on the test database."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
NAMES = itertools.count(1)


@contextmanager
def celery_worker(
    redis_url: str,
    *,
    concurrency: int = 0,
    cpu: int | None = None,
    flush: bool = True,
    **settings: str,
) -> Iterator[subprocess.Popen]:
    """Run a worker on the test database and `redis_url` (emptied first unless not `flush`),
    with `settings` as environment variables on top of production settings; stop it afterwards.

    One process (the solo pool) unless `concurrency` asks for a prefork pool of that many; with
    `cpu`, pinned to that core with taskset (the benchmarks' scaling runs, bench/workers.py)."""
    if flush:
        redis.Redis.from_url(redis_url).flushdb()  # our own db number: nothing left from others
    database = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "worker-test-secret-key-not-for-production-0123456789-abcdef",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_url,
        **settings,
    }
    env.pop("TEST_DATABASE_NAME", None)
    pool = ["--pool=prefork", f"--concurrency={concurrency}"] if concurrency else ["--pool=solo"]
    pinned = ["taskset", "--cpu-list", str(cpu)] if cpu is not None else []
    process = subprocess.Popen(
        [
            *pinned,
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            *pool,
            # Two workers on one machine need names of their own.
            f"--hostname=redress-{next(NAMES)}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
