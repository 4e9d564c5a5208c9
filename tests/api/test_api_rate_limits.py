"""Each client has its own rate limit; a failing cache never costs a complaint."""

import pytest
from django.test import override_settings

from api.models import Scope
from api.services import api_client_create
from complaints.models import Complaint
from tests.api.conftest import api_for, complaint_json
from tests.api.receiver import free_port

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


def test_it_answers_429_with_retry_after_past_the_clients_limit_and_counts_each_client_apart(
    billing,
):
    _slow, slow_key = api_client_create(name="Slow", scopes=[Scope.READ], rate_limit=3)
    _other, other_key = api_client_create(name="Other", scopes=[Scope.READ], rate_limit=3)
    slow, other = api_for(slow_key), api_for(other_key)
    statuses = [slow.get(URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = slow.get(URL)
    assert refused["Content-Type"] == "application/problem+json"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert other.get(URL).status_code == 200


def test_a_cache_that_is_down_lets_the_complaint_through(api, billing):
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": unreachable,
            }
        }
    ):
        response = api.post(URL, complaint_json(billing), format="json")
    assert response.status_code == 201, response.content
    assert Complaint.objects.count() == 1
