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
    """One module owns time (complaints/clock.py): nothing else reads the date or the time."""
    asks_the_time = re.compile(r"\b(datetime\.now|timezone\.now|date\.today|datetime\.today)\(")
    apps = ["complaints", "demo", "escalations", "inbound", "notifications", "publicsite", "reports"]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in apps
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != ROOT / "complaints" / "clock.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if asks_the_time.search(line)
    ]
    assert offenders == []
