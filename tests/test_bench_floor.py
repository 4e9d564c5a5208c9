"""The floor of the stack (bench/floor/) starts behind gunicorn and takes a submission."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from bench import run
from bench.databases import SERVER, database_recreate
from bench.http_load import Session, gunicorn
from tests.conftest import spare_port

pytestmark = pytest.mark.postgres


def test_it_serves_the_floor_form_and_saves_a_complaint_with_its_event_and_promise(
    postgres, monkeypatch
):
    database = f"{connection.settings_dict['NAME']}_floor"
    monkeypatch.setattr(run, "FLOOR_DB", database)
    database_recreate(database)
    env = run.floor_environment()
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v0"],
        cwd=run.FLOOR,
        env=os.environ | env,
        check=True,
    )
    port = spare_port()
    executable = Path(sys.executable).parent / "gunicorn"
    with gunicorn(executable, "floorsite.wsgi", cwd=run.FLOOR, env=env, port=port, workers=1):
        run.floor_submit(Session(port), 1)
    with psycopg.connect(f"{SERVER}/{database}") as floor:
        counts = [
            floor.execute(f"SELECT count(*) FROM floorsite_{table}").fetchone()[0]
            for table in ("complaint", "event", "promise")
        ]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    assert counts == [1, 1, 1]
