"""The project's own promises: demo data, production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints.choices import State
from complaints.models import Category, Complaint, ComplaintPolicy

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_seed_demo_gives_a_case_in_every_state_and_changes_nothing_the_second_time(capsys):
    call_command("seed_demo", "--force")
    counts = (Complaint.objects.count(), Category.objects.count(), ComplaintPolicy.objects.count())
    history = Complaint.history.count()
    call_command("seed_demo", "--force")
    assert (
        Complaint.objects.count(),
        Category.objects.count(),
        ComplaintPolicy.objects.count(),
    ) == counts
    assert Complaint.history.count() == history
    assert set(Complaint.objects.values_list("state", flat=True)) == set(State.values)
    output = capsys.readouterr().out
    assert "handler / redress-demo" in output and "supervisor / redress-demo" in output


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")


def test_production_settings_pass_the_deploy_check():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_TASK"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "x7#Lq9!vT2@pR8$wZ4^mN6&bK1*cH3(dJ5)fG0-sA-long-enough-and-random-1",
        "DJANGO_ALLOWED_HOSTS": "complaints.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_asks_the_clock_for_the_time_everywhere():
    """One module owns time (complaints/clock.py): nothing else reads the date or the time.

    Except the outbox, which sits below complaints and may not import it: it stamps its rows
    with Django's timezone.now, the same clock (and the one time-machine moves in the tests).
    """
    asks_the_time = re.compile(r"\b(datetime\.now|timezone\.now|date\.today|datetime\.today)\(")
    apps = [
        "complaints",
        "demo",
        "escalations",
        "inbound",
        "publicsite",
        "reports",
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in apps
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != ROOT / "complaints" / "clock.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if asks_the_time.search(line)
    ]
    assert offenders == []


def test_the_filesystem_broker_writes_only_under_var(tmp_path):
    """Without CELERY_BROKER_URL every folder of the broker, the exchange tables too, is in var/."""
    exchange = f"redress-probe-{os.getpid()}"
    probe = (
        "import django; django.setup()\n"
        "from kombu import Exchange, Queue\n"
        "from config.celery import app\n"
        f"queue = Queue('{exchange}', Exchange('{exchange}'), '{exchange}')\n"
        "with app.connection_for_write() as connection:\n"
        "    queue(connection.channel()).declare()\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_", "DATABASE_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "PYTHONPATH": str(ROOT),
    }
    table = ROOT / "var" / "broker-control" / f"{exchange}.exchange"
    try:
        subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, timeout=60)
        assert table.exists()
        assert list(tmp_path.iterdir()) == []
    finally:
        table.unlink(missing_ok=True)
