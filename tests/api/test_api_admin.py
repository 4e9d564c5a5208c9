"""Supervisors create API clients (the key shown once, stored hashed), revoke them, register
webhook endpoints and resend deliveries; handlers see none of it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from api.keys import key_hash
from api.models import ApiClient, EventKind, WebhookDelivery, WebhookEndpoint
from tests.api.conftest import api_for
from tests.api.receiver import Receiver
from tests.cases import submit_complaint
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def test_a_supervisor_creates_a_client_and_sees_its_key_once(client, policy):
    supervisor = SupervisorFactory(username="sam")
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:api_apiclient_add"),
        {
            "name": "Acme app",
            "scopes": ["submit", "read"],
            "channel": "in_app",
            "account_pattern": "",
            "rate_limit": 60,
            "embed_origins": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    [message] = [str(m) for m in get_messages(response.wsgi_request) if "shown this once" in str(m)]
    key = message.rsplit(" ", 1)[-1]
    created = ApiClient.objects.get()
    assert key.startswith("rdk_") and created.key_hash == key_hash(key)
    assert key not in str(ApiClient.objects.values().get())
    assert created.created_by == supervisor and created.scopes == ["submit", "read"]
    assert api_for(key).get("/api/v1/complaints/").status_code == 200
    shown = client.get(response["Location"]).content.decode()
    assert key in shown
    again = client.get(reverse("admin:api_apiclient_change", args=[created.pk])).content.decode()
    assert key not in again


def test_a_supervisor_revokes_a_client_from_the_list(client, app_client):
    client.force_login(SupervisorFactory())
    client.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [app_client[0].pk]},
    )
    assert api_for(app_client[1]).get("/api/v1/complaints/").status_code == 401


def test_handlers_see_no_clients_endpoints_or_deliveries(client, policy):
    client.force_login(HandlerFactory())
    for name in ("apiclient", "webhookendpoint", "webhookdelivery"):
        assert client.get(reverse(f"admin:api_{name}_changelist")).status_code == 403
    assert "Apps and webhooks" not in client.get(reverse("admin:index")).content.decode()


def test_a_supervisor_sees_the_last_error_and_resends_a_failed_delivery(client, policy):
    from api import jobs

    receiver = Receiver()  # down
    WebhookEndpoint.objects.create(name="CRM", url=receiver.url, kinds=[EventKind.RECEIVED])
    submit_complaint()
    jobs.webhook_events_collect()
    jobs.webhook_deliveries_dispatch()
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.FAILED)
    client.force_login(SupervisorFactory())
    listing = client.get(reverse("admin:api_webhookdelivery_changelist"), {"delivery": "failed"})
    assert "Connection refused" in listing.content.decode()

    receiver.start()
    try:
        client.post(
            reverse("admin:api_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [WebhookDelivery.objects.get().pk]},
        )
        jobs.webhook_deliveries_dispatch()
    finally:
        receiver.stop()
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.requests) == 1
