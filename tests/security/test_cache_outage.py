"""Finding 7: a cache outage loses no complaint; the limits fall back and the stamp needs no cache.

CACHE_URL points at a redis-server of the test's own, which the test stops, as the README's
production setup would see it when the Redis that holds the cache and the broker goes down.
"""

import pytest
from django.core.cache import caches
from django.urls import reverse

from complaints.models import Complaint
from tests.publicsite import complaint_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, redis_server, policy):
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{redis_server.url}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.REDRESS_FORM_MIN_SECONDS = 0
    caches["default"].clear()
    return redis_server


def submit(client, data=None):
    return client.post(reverse("complaint-new"), data or complaint_data())


def test_it_takes_every_complaint_while_the_cache_is_down(client, redis_cache, settings):
    assert submit(client).status_code == 302
    redis_cache.stop()
    answers = [submit(client).status_code for _ in range(5)]
    print(f"\ncache down: {answers.count(302)} of 5 submissions stored")
    assert answers == [302] * 5
    assert Complaint.objects.count() == 6


def test_the_stamp_is_still_used_once_while_the_cache_is_down(client, redis_cache):
    redis_cache.stop()
    data = complaint_data()
    assert submit(client, data).status_code == 302
    again = submit(client, data)
    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert Complaint.objects.count() == 1


def test_the_rate_limit_falls_back_to_the_database_while_the_cache_is_down(
    client, redis_cache, settings
):
    settings.REDRESS_RATE_LIMITS = settings.REDRESS_RATE_LIMITS | {"submit": 3}
    redis_cache.stop()
    answers = [submit(client).status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert Complaint.objects.count() == 3


def test_it_takes_complaints_when_no_redis_ever_answered(client, settings, policy):
    from tests.conftest import spare_port

    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{spare_port()}/1",
        }
    }
    settings.REDRESS_FORM_MIN_SECONDS = 0
    assert submit(client).status_code == 302
    assert Complaint.objects.count() == 1
