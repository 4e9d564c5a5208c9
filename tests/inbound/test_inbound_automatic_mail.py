"""Mail that machines send back: auto-replies are ignored, bounces mark the email failed."""

import pytest

from complaints import services
from complaints.models import Complaint
from inbound.imap import inbound_poll
from inbound.models import InboundEmail
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.factories import HandlerFactory
from tests.inbound.emails import delivery_report, email
from tests.notifications.components import submit_complaint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: your complaint"),
        ({"X-Autoreply": "yes"}, "Re: your complaint"),
        ({"Precedence": "bulk"}, "Newsletter"),
        ({}, "Out of Office: back on Monday"),
        ({}, "Abwesenheitsnotiz: bis 3. März"),
        ({}, "Automatic reply: Charged twice"),
    ],
)
def test_it_creates_nothing_and_sends_nothing_for_an_automatic_reply(
    policy, imap_mailbox, headers, subject
):
    imap_mailbox.deliver(email(subject=subject, headers=headers))

    inbound_poll()

    assert InboundEmail.objects.get().status == InboundEmail.Status.AUTO_REPLY
    assert not Complaint.objects.exists()
    assert not Notification.objects.exists()


def test_it_marks_a_bounced_email_failed_and_flags_the_case(policy, imap_mailbox, smtp_server):
    HandlerFactory(username="hana")
    case = services.complaint_acknowledge(complaint=submit_complaint())
    sent = Notification.objects.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    notification_deliver(notification_id=sent.pk)
    sent.refresh_from_db()
    imap_mailbox.deliver(delivery_report(original_message_id=sent.message_id))

    inbound_poll()

    sent.refresh_from_db()
    assert sent.status == Notification.Status.FAILED
    assert "550 5.1.1" in sent.last_error and "Status: 5.1.1" in sent.last_error
    flag = case.events.get(action="delivery_failed")
    assert "rosa@example.com" in flag.note and not flag.is_public
    bounce = InboundEmail.objects.get()
    assert (bounce.status, bounce.notification) == (InboundEmail.Status.BOUNCE, sent)
    assert Complaint.objects.count() == 1
    assert len(smtp_server.messages) == 1  # the acknowledgement; nothing went back to the daemon
