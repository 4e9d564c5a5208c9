"""The benchmark databases: each script works in a database of its own, recreated per run."""

from __future__ import annotations

import os

# The PostgreSQL server the benchmarks use; each database on it is theirs to drop.
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
PROTECTED = {"postgres", "redress", "test", "template0", "template1"}


def database_recreate(name: str, server: str = SERVER) -> None:
    """Drop and create the benchmark database `name` on `server`."""
    import psycopg

    if not name or name in PROTECTED:
        raise SystemExit(f"Refusing to recreate the database {name!r}: give a benchmark database.")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def in_process_settings(name: str, **extra: str) -> None:
    """Point Django in this process at the benchmark database `name`, with no broker server."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=os.environ.get(
            "DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"
        ),
        DATABASE_URL=f"{SERVER}/{name}",
        CELERY_BROKER_URL="memory://",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
