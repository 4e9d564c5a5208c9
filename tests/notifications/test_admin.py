"""The outbox in the admin: failed deliveries are easy to find and to resend."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.cases import submit_complaint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_and_sent(policy):
    complaint = submit_complaint()
    failed = Notification.objects.create(
        complaint=complaint,
        kind=Notification.Kind.ACKNOWLEDGEMENT,
        recipient="rosa@example.com",
        dedupe_key="failed",
        status=Notification.Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: no such mailbox",
    )
    sent = Notification.objects.create(
        complaint=complaint,
        kind=Notification.Kind.MESSAGE,
        recipient="rosa@example.com",
        dedupe_key="sent",
        status=Notification.Status.SENT,
    )
    return failed, sent


def test_it_lists_only_failed_deliveries_under_the_delivery_failed_filter(client, failed_and_sent):
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = reverse("admin:notifications_notification_changelist")

    response = client.get(url, {"delivery": "failed"})

    assert list(response.context["cl"].queryset) == [failed_and_sent[0]]
    assert "no such mailbox" in response.text


def test_it_puts_a_failed_notification_back_in_the_outbox(client, failed_and_sent):
    failed, sent = failed_and_sent
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = reverse("admin:notifications_notification_changelist")

    response = client.post(
        url, {"action": "resend", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == Notification.Status.PENDING and failed.attempts == 0
    assert sent.status == Notification.Status.SENT
    assert "1 notification is back in the outbox." in response.text
