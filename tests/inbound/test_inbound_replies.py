"""A reply by email lands on its case, only when it comes from the complainant's address."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from complaints import services
from complaints.actors import Actor
from complaints.exceptions import ComplaintError
from complaints.models import Message
from inbound.imap import inbound_poll
from inbound.models import InboundEmail
from inbound.services import inbound_email_attach, inbound_email_discard
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.factories import HandlerFactory
from tests.inbound.emails import email, png_bytes
from tests.notifications.components import submit_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler():
    return Actor.staff(HandlerFactory(username="hana"))


@pytest.fixture
def case(policy, handler):
    return services.complaint_acknowledge(complaint=submit_complaint())


def replies(case) -> list[Message]:
    return list(case.messages.filter(direction=Message.Direction.FROM_COMPLAINANT))


def test_it_adds_a_reply_with_the_reference_in_the_subject_to_its_case(case, imap_mailbox):
    imap_mailbox.deliver(
        email(
            sender="ROSA@Example.com",
            subject=f"Re: [{case.display_reference}] We have received your complaint",
            text="Here is the receipt.",
            attachments=[("receipt.png", png_bytes(), "image/png")],
        )
    )

    inbound_poll()

    [reply] = replies(case)
    assert reply.body == "Here is the receipt." and reply.channel == "email"
    assert [a.original_name for a in reply.attachments.all()] == ["receipt.png"]
    assert InboundEmail.objects.get().status == InboundEmail.Status.ATTACHED
    assert case.events.filter(action="customer_message").exists()


def test_it_threads_a_reply_by_the_message_id_of_the_email_it_answers(
    case, imap_mailbox, smtp_server
):
    sent = Notification.objects.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    notification_deliver(notification_id=sent.pk)
    sent.refresh_from_db()
    imap_mailbox.deliver(
        email(
            subject="Re: your email",
            text="Thank you.",
            headers={"In-Reply-To": sent.message_id, "References": sent.message_id},
        )
    )

    inbound_poll()

    assert [reply.body for reply in replies(case)] == ["Thank you."]


def test_it_ignores_a_reference_whose_check_symbol_is_wrong(case, imap_mailbox):
    wrong = case.display_reference[:-1] + ("2" if case.reference[-1] != "2" else "3")
    imap_mailbox.deliver(email(subject=f"Re: [{wrong}] more"))

    inbound_poll()

    assert replies(case) == []
    assert InboundEmail.objects.get().status == InboundEmail.Status.COMPLAINT


def test_it_holds_a_reply_from_another_address_for_a_handler(case, imap_mailbox, handler):
    imap_mailbox.deliver(
        email(sender="Mallory <mallory@example.net>", subject=f"[{case.display_reference}] x")
    )

    inbound_poll()

    held = InboundEmail.objects.get()
    assert held.status == InboundEmail.Status.HELD and held.complaint == case
    assert "mallory@example.net" in held.note
    assert replies(case) == []
    assert case.events.get(action="email_held").is_public is False

    inbound_email_attach(inbound=held, actor=handler)

    assert len(replies(case)) == 1
    held.refresh_from_db()
    assert held.status == InboundEmail.Status.ATTACHED


def test_it_holds_a_reply_to_a_closed_case(case, imap_mailbox, handler):
    services.complaint_withdraw(complaint=case, actor=handler, reason="Sorted out.")
    imap_mailbox.deliver(email(subject=f"Re: [{case.display_reference}] thanks"))

    inbound_poll()

    held = InboundEmail.objects.get()
    assert held.status == InboundEmail.Status.HELD
    with pytest.raises(ComplaintError):
        inbound_email_attach(inbound=held, actor=handler)
    assert inbound_email_discard(inbound=held, actor=handler) is True
    held.refresh_from_db()
    assert held.status == InboundEmail.Status.DISCARDED
    assert replies(case) == []


def test_it_tells_a_german_handler_why_an_email_is_held(case):
    with translation.override("de"):
        assert InboundEmail.Status.HELD.label == "Zurückgehalten für die Sachbearbeitung"
        assert _("The reply came after the case was closed.").startswith("Die Antwort kam")
