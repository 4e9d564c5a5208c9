"""The project's own promises: demo data, production settings."""

import os
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
    # The README's production setup: PostgreSQL, Redis as broker and cache, SMTP over TLS.
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "x7#Lq9!vT2@pR8$wZ4^mN6&bK1*cH3(dJ5)fG0-sA-long-enough-and-random-1",
        "DJANGO_ALLOWED_HOSTS": "complaints.example.org",
        "DATABASE_URL": "postgres://redress:secret@db.internal:5432/redress",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "CACHE_URL": "redis://redis.internal:6379/1",
        "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
        "REDRESS_SITE_URL": "https://complaints.example.org",
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
