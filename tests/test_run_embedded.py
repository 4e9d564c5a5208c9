"""`make run`: links in emails follow the port, and Ctrl-C stops the server and worker cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from complaints.management.commands.run_embedded import child_environment

ROOT = Path(__file__).resolve().parents[1]


def test_it_points_email_links_at_the_port_it_serves():
    assert child_environment({}, port=8123)["REDRESS_SITE_URL"] == "http://127.0.0.1:8123"


def test_it_keeps_a_site_url_that_was_given():
    given = {"REDRESS_SITE_URL": "https://complaints.example.org"}
    assert child_environment(given, port=8123)["REDRESS_SITE_URL"] == (
        "https://complaints.example.org"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_it_stops_the_server_and_the_worker_on_ctrl_c(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    run = subprocess.Popen(
        [*manage, "run_embedded", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _attempt in range(120):
            if serving(port) or run.poll() is not None:
                break
            time.sleep(0.5)
        assert serving(port)
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    assert "Redress stopped." in output
    # The stop itself is clean (a worker may log about old messages in var/broker before it).
    assert "Warm shutdown" in output
    stopping = output.split("Warm shutdown")[-1]
    assert "Traceback" not in stopping and "Segmentation" not in output
    assert "superuser privileges" not in output
    assert "No hostname was supplied" not in output
    assert not serving(port)
