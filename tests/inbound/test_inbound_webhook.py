"""An email provider's inbound webhook (django-anymail) feeds the same service as the IMAP poll."""

import base64
import json

import pytest

from complaints.choices import Channel
from complaints.models import Complaint
from inbound.models import InboundEmail
from tests.inbound.emails import email

pytestmark = pytest.mark.django_db

SECRET = "postmark:very-long-secret"
URL = "/inbound/postmark/"


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def post(client, raw: bytes, secret: str = SECRET):
    payload = {"RecordType": "Inbound", "RawEmail": raw.decode()}
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        URL, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def test_it_takes_a_complaint_posted_by_the_provider(client, policy, webhook_secret):
    raw = email()

    assert post(client, raw).status_code == 200
    assert post(client, raw).status_code == 200  # the provider retried

    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.EMAIL
    assert complaint.complainant_email == "rosa@example.com"
    row = InboundEmail.objects.get()
    assert (row.source, row.status) == ("webhook:postmark", InboundEmail.Status.COMPLAINT)


def test_it_refuses_a_post_without_the_secret(client, policy, webhook_secret):
    response = post(client, email(), secret="postmark:guessed")

    assert response.status_code == 400
    assert not InboundEmail.objects.exists()


def test_it_serves_no_webhook_without_a_secret_configured(client, policy, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}

    assert post(client, email()).status_code == 404
    assert not InboundEmail.objects.exists()
