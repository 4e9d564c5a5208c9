"""Finding 12: the small ones, each as the probe found it."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from complaints.models import Complaint
from publicsite.forms import ComplaintForm, LookupForm
from tests.cases import submit_complaint
from tests.publicsite import complaint_data

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "x7#Lq9!vT2@pR8$wZ4^mN6&bK1*cH3(dJ5)fG0-sA-long-enough-and-random-1"


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with the production settings and `env` on top of a clean environment."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_TASK", "CACHE_URL", "DATABASE_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "shape",
    ["{}/", "{}/reply/", "{}/accept/", "{}/escalate/", "{}/withdraw/", "{}/rate/", "{}/files/1/"],
)
def test_a_nul_byte_in_a_tracking_url_is_not_found(client, policy, shape):
    token = submit_complaint().tracking_token
    for broken in (token + "%00", "%00" + token, token[:10] + "%00" + token[10:]):
        url = "/track/" + shape.format(broken)
        response = client.post(url) if shape.endswith(("y/", "t/", "e/")) else client.get(url)
        assert response.status_code == 404, url


@pytest.mark.parametrize("secret", ["change-me", "short-but-not-a-placeholder", "a" * 60])
def test_production_refuses_a_placeholder_or_weak_secret_key(secret):
    result = run_django("check", DJANGO_SECRET_KEY=secret)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder or too weak" in result.stderr


def test_production_starts_with_a_strong_secret_key():
    assert run_django("check", DJANGO_SECRET_KEY=STRONG_KEY).returncode == 0


def test_migrate_creates_the_database_cache_table_even_with_cache_url_set(tmp_path):
    database = tmp_path / "redress.sqlite3"
    result = run_django(
        "migrate",
        "--noinput",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DATABASE_URL=f"sqlite:///{database}",
        CACHE_URL="redis://127.0.0.1:1/1",
    )
    assert result.returncode == 0, result.stderr
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert "redress_cache" in tables


@pytest.mark.django_db
def test_public_pages_answer_head(client, policy, settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    token = submit_complaint().tracking_token
    client.post(reverse("complaint-new"), complaint_data())
    for url in (
        "/",
        "/policy/",
        "/complaints/new/",
        "/complaints/submitted/",
        "/track/",
        f"/track/{token}/",
        f"/track/{token}/withdraw/",
    ):
        head, get = client.head(url), client.get(url)
        assert head.status_code == get.status_code, url
        assert head.status_code in (200, 302), url
        assert head.content == b""


@pytest.mark.django_db
def test_withdrawing_is_rate_limited(client, policy, settings):
    settings.REDRESS_RATE_LIMITS = settings.REDRESS_RATE_LIMITS | {"case_action": 2}
    token = submit_complaint().tracking_token
    answers = [
        client.post(reverse("track-withdraw", args=[token]), {}).status_code for _ in range(3)
    ]
    assert answers == [200, 200, 429]


def test_an_email_with_a_local_part_over_64_characters_is_refused():
    long_local = "a" * 65 + "@example.com"
    assert (
        "complainant_email"
        in ComplaintForm({"complainant_email": long_local}, categories=[]).errors
    )
    assert "email" in LookupForm({"reference": "x", "email": long_local}).errors
    assert (
        "complainant_email"
        not in ComplaintForm({"complainant_email": "a" * 64 + "@example.com"}, categories=[]).errors
    )
    field = Complaint._meta.get_field("complainant_email")
    with pytest.raises(Exception, match="at most 64"):
        field.run_validators(long_local)


def test_the_proxy_https_header_is_off_by_default_and_a_setting():
    read = "from django.conf import settings; print(repr(settings.SECURE_PROXY_SSL_HEADER))"
    off = run_django("shell", "-c", read, DJANGO_SECRET_KEY=STRONG_KEY)
    assert off.stdout.strip().splitlines()[-1] == "None", off.stderr
    on = run_django(
        "shell",
        "-c",
        read,
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
    )
    assert on.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_a_spoofed_forwarded_proto_does_not_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
