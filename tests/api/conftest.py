import pytest
from rest_framework.test import APIClient

from api.models import Scope
from api.services import api_client_create
from tests.factories import CategoryFactory

ALL_SCOPES = [Scope.SUBMIT, Scope.READ, Scope.EVENTS]


def api_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def billing(policy):
    return CategoryFactory(name="Billing")


@pytest.fixture
def app_client(policy):
    """The organisation's app, with every scope, and its key."""
    return api_client_create(name="Acme app", scopes=ALL_SCOPES)


@pytest.fixture
def api(app_client):
    return api_for(app_client[1])


def complaint_json(category, **overrides) -> dict:
    data = {
        "account_identifier": "CUST-1001",
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "language": "en",
        "category": category.pk,
        "description": "I was charged twice for March.",
        "desired_outcome": "A refund of the second charge.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
