"""Rate limits on the public forms (database cache and Redis) and the security headers."""

import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Complaint
from tests.publicsite import complaint_data

pytestmark = pytest.mark.django_db


def lookups_until_refused(client, settings, limit=3):
    settings.REDRESS_RATE_LIMITS = settings.REDRESS_RATE_LIMITS | {"lookup": limit}
    data = {"reference": "K7Q-M4X-H9P", "email": "rosa@example.com"}
    return [client.post(reverse("track-lookup"), data).status_code for _ in range(limit + 2)]


def test_it_limits_lookups_per_address_on_the_database_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "redress_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    statuses = lookups_until_refused(client, settings)
    assert statuses[-2:] == [429, 429]
    assert 429 not in statuses[:3]


def test_it_limits_lookups_per_address_on_redis(client, settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    statuses = lookups_until_refused(client, settings)
    cache.clear()
    assert statuses[-2:] == [429, 429]
    assert 429 not in statuses[:3]


def test_it_counts_each_address_apart(client, settings):
    lookups_until_refused(client, settings, limit=1)
    data = {"reference": "K7Q-M4X-H9P", "email": "rosa@example.com"}
    response = client.post(reverse("track-lookup"), data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code != 429


def test_it_limits_submissions_per_address_and_stores_none_over_the_limit(client, settings, policy):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    settings.REDRESS_RATE_LIMITS = settings.REDRESS_RATE_LIMITS | {"submit": 1}
    assert client.post(reverse("complaint-new"), complaint_data()).status_code == 302
    assert client.post(reverse("complaint-new"), complaint_data()).status_code == 429
    assert Complaint.objects.count() == 1


def test_it_sends_a_content_security_policy_without_inline_script(client, policy):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script" not in response.content.decode()


def test_it_escapes_what_the_complainant_typed_on_the_confirmation(client, settings, policy):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    data = complaint_data(complainant_email="rosa@example.com", description="<script>x</script>")
    client.post(reverse("complaint-new"), data)
    complaint = Complaint.objects.get()
    page = client.get(complaint.tracking_path()).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>" not in page
