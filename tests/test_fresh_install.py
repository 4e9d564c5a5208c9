"""A fresh install (`migrate` only) has a neutral default policy, flagged until someone reviews it,
and no complaint is ever refused or lost for want of configuration."""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse

from complaints import presets, services
from complaints.choices import Channel
from complaints.models import Complaint, ComplaintPolicy
from notifications.models import Notification
from tests.factories import PolicyFactory, SupervisorFactory
from tests.publicsite import complaint_data

ROOT = Path(__file__).resolve().parent.parent
MIGRATION = importlib.import_module("complaints.migrations.0009_neutral_default_policy")


def fresh_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DATABASE_URL"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDRESS_FORM_MIN_SECONDS": "0",
        "CELERY_BROKER_URL": "memory://",
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_it_takes_and_acknowledges_a_complaint_on_a_database_that_was_only_migrated(tmp_path):
    env = fresh_env(tmp_path / "fresh.sqlite3")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    check = run([sys.executable, "manage.py", "check", "--database", "default"], env)
    assert "complaints.W001" in check.stderr + check.stdout
    assert "Standard complaints policy" in check.stderr + check.stdout

    outcome = json.loads(
        run([sys.executable, "-m", "tests.fresh.take_a_complaint"], env).stdout.splitlines()[-1]
    )

    assert outcome["policies"] == [{"slug": "standard", "is_default": True, "needs_review": True}]
    assert outcome["policy_page"] == 200
    assert "We acknowledge your complaint within 2 business days." in outcome["policy_text"]
    assert (
        "We send you a full written response within 15 business days." in (outcome["policy_text"])
    )
    assert outcome["form_page"] == 200 and outcome["submitted"] == 302
    assert outcome["acknowledged"] is True and outcome["state"] == "acknowledged"
    [(to, subject, body)] = outcome["emails"]
    assert to == ["rosa@example.com"] and outcome["reference"] in subject
    assert "Thank you for your complaint" in body
    assert outcome["console"] == [200, 200, 200]
    assert outcome["timeline_as_models_give"] is True


def test_it_writes_in_the_migration_the_same_neutral_policy_the_code_falls_back_to():
    assert MIGRATION.NEUTRAL["slug"] == presets.NEUTRAL.slug
    assert MIGRATION.NEUTRAL["public_wording"] == presets.NEUTRAL.public_wording
    assert MIGRATION.NEUTRAL["time_zone"] == presets.NEUTRAL.time_zone == "UTC"
    assert {
        str(kind): (aim, amount, str(unit))
        for kind, (aim, amount, unit) in (presets.COMMON | presets.NEUTRAL.targets).items()
    } == MIGRATION.NEUTRAL_TARGETS


@pytest.mark.django_db
def test_it_takes_a_complaint_when_the_default_policy_was_deleted_later(settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    ComplaintPolicy.objects.all().delete()
    client = Client()
    assert client.get(reverse("policy")).status_code == 200
    response = client.post(reverse("complaint-new"), complaint_data())
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.policy.slug == "standard" and complaint.policy.is_default
    assert complaint.policy.needs_review
    services.complaint_acknowledge(complaint=complaint)
    assert Notification.objects.filter(
        complaint=complaint, kind=Notification.Kind.ACKNOWLEDGEMENT
    ).exists()


@pytest.mark.django_db
def test_it_logs_a_phoned_complaint_when_no_policy_is_the_default():
    ComplaintPolicy.objects.update(is_default=False)
    case = services.complaint_submit(
        channel=Channel.PHONE, complainant_name="Rosa Diaz", description="Charged twice."
    )
    assert case.policy == ComplaintPolicy.objects.get(is_default=True)


@pytest.mark.django_db
def test_it_flags_the_neutral_policy_until_a_supervisor_saves_it(client):
    ComplaintPolicy.objects.all().delete()
    policy = presets.neutral_policy_ensure()
    assert policy.needs_review
    assert [m.id for m in checks.run_checks(databases=["default"])].count("complaints.W001") == 1

    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:complaints_complaintpolicy_change", args=[policy.pk])
    assert 'id="needs-review"' in client.get(url).content.decode()
    listing = client.get(reverse("admin:complaints_complaintpolicy_changelist")).content.decode()
    # The "needs review" column: the console's theme draws a yes as a check mark.
    cell = re.search(r'class="[^"]*field-needs_review[^"]*"[^>]*>(.*?)</td>', listing, re.S)
    assert cell is not None and "check_small" in cell.group(1)

    from tests.test_policy_admin import form_data

    response = client.post(url, form_data(policy, is_default="on", language="en"))
    assert response.status_code == 302, response.content.decode()
    policy.refresh_from_db()
    assert not policy.needs_review
    assert "complaints.W001" not in [m.id for m in checks.run_checks(databases=["default"])]
    assert 'id="needs-review"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_it_lets_the_presets_replace_the_unreviewed_neutral_default_but_not_a_reviewed_one():
    presets.preset_load(presets.preset_by_slug("a"))
    assert ComplaintPolicy.objects.get(is_default=True).slug == presets.DEFAULT_SLUG
    # The neutral policy, no longer used, is no longer worth a warning.
    assert "complaints.W001" not in [m.id for m in checks.run_checks(databases=["default"])]

    ComplaintPolicy.objects.all().delete()
    neutral = presets.neutral_policy_ensure()
    neutral.needs_review = False
    neutral.save()
    presets.preset_load(presets.preset_by_slug("a"))
    assert ComplaintPolicy.objects.get(is_default=True).slug == "standard"


@pytest.mark.django_db
def test_it_keeps_a_policy_a_test_makes_the_default_as_the_only_default():
    PolicyFactory(is_default=True, slug="mine")
    assert list(ComplaintPolicy.objects.filter(is_default=True).values_list("slug", flat=True)) == [
        "mine"
    ]
