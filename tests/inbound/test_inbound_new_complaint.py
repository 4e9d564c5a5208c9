"""A new email in the IMAP mailbox becomes a complaint on the email channel, acknowledged."""

import pytest

from complaints import tasks
from complaints.choices import Channel
from complaints.models import Complaint
from inbound.imap import inbound_poll
from inbound.models import InboundEmail
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.factories import HandlerFactory
from tests.inbound.emails import email, png_bytes

pytestmark = pytest.mark.django_db


def test_it_turns_a_new_email_with_an_attachment_into_an_acknowledged_complaint(
    policy, imap_mailbox, smtp_server
):
    HandlerFactory(username="hana")
    imap_mailbox.deliver(email(attachments=[("receipt.png", png_bytes(), "image/png")]))

    assert inbound_poll() == 1

    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.EMAIL
    assert complaint.complainant_name == "Rosa Diaz"
    assert complaint.complainant_email == "rosa@example.com"
    assert complaint.description == "Charged twice\n\nI was charged twice for order 1234."
    [attachment] = complaint.attachments.all()
    assert (attachment.original_name, attachment.content_type) == ("receipt.png", "image/png")
    assert InboundEmail.objects.get().status == InboundEmail.Status.COMPLAINT
    assert imap_mailbox.unseen() == 0

    tasks.acknowledge_complaint(complaint.pk)  # what the submission's on-commit hook queues
    acknowledgement_row = Notification.objects.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    notification_deliver(notification_id=acknowledgement_row.pk)

    [acknowledgement] = smtp_server.messages
    assert acknowledgement["To"] == "rosa@example.com"
    assert f"[{complaint.display_reference}]" in acknowledgement["Subject"]


def test_it_reads_an_html_only_email_as_text_without_its_scripts(policy, imap_mailbox):
    imap_mailbox.deliver(
        email(
            text=None,
            html="<html><head><style>p {color: red}</style></head><body>"
            "<p>The app &amp; the site</p><script>alert('x')</script>"
            "<p>both fail.</p></body></html>",
        )
    )

    inbound_poll()

    description = Complaint.objects.get().description
    assert description == "Charged twice\n\nThe app & the site\n\nboth fail."


def test_it_notes_a_refused_attachment_on_the_case_and_still_takes_the_complaint(
    policy, imap_mailbox
):
    imap_mailbox.deliver(
        email(attachments=[("invoice.exe", b"MZ\x90\x00binary", "application/octet-stream")])
    )

    inbound_poll()

    complaint = Complaint.objects.get()
    assert not complaint.attachments.exists()
    refused = complaint.events.get(action="attachment_refused")
    assert "invoice.exe" in refused.note and not refused.is_public


def test_it_takes_the_language_from_the_email(policy, imap_mailbox):
    imap_mailbox.deliver(email(headers={"Content-Language": "de-DE"}))

    inbound_poll()

    assert Complaint.objects.get().language == "de"


def test_it_does_nothing_without_a_mailbox_configured(policy, settings):
    settings.REDRESS_IMAP_URL = ""

    assert inbound_poll() == 0
