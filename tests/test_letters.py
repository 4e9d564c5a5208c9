"""Complainants without a usable email address get letters: PDFs staff print, post and mark posted.

Nothing is reported as sent that was not: the dispatch sweep never sends a letter, and a letter
is sent only at the moment staff say they posted it.
"""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel, State
from inbound.services import inbound_email_process
from notifications import jobs
from notifications.models import Notification
from notifications.rendering import render_letter
from notifications.services import (
    LetterNotPostable,
    notification_deliver,
    notification_mark_posted,
)
from tests.cases import case_in
from tests.factories import HandlerFactory, SupervisorFactory
from tests.inbound.emails import delivery_report
from tests.notifications.components import MailServer, free_port

pytestmark = pytest.mark.django_db

ADDRESS = "12 Harbour Street\nPortsmouth\nPO1 2AB"
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def hana(db):
    return HandlerFactory(username="hana", first_name="Hana", last_name="Hale")


def pdf_text(pdf: bytes) -> str:
    """Return the PDF's text with its line breaks as spaces: the layout wraps sentences."""
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def logged_by_phone(hana, **overrides):
    fields = {
        "channel": Channel.PHONE,
        "complainant_name": "Rosa Diaz",
        "complainant_address": ADDRESS,
        "description": "I was charged twice.",
        "actor": Actor.staff(hana),
    }
    case = services.complaint_submit(**fields | overrides)
    return services.complaint_assign(complaint=case, actor=Actor.staff(hana), handler=hana)


def letters(case):
    return case.notifications.filter(channel=Notification.Channel.LETTER).order_by("pk")


def test_it_writes_the_acknowledgement_of_a_complaint_without_email_as_a_letter(policy, hana):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    [letter] = letters(case)
    assert letter.kind == Notification.Kind.ACKNOWLEDGEMENT
    assert letter.status == Notification.Status.PENDING and letter.sent_at is None
    assert letter.recipient == ""
    assert (
        not case.notifications.filter(channel=Notification.Channel.EMAIL)
        .exclude(recipient_user__isnull=False)
        .exists()
    )


def test_it_renders_a_letter_in_english_with_the_address_reference_and_the_email_text(policy, hana):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    text = pdf_text(render_letter(letters(case).get()))
    assert "Rosa Diaz" in text and "12 Harbour Street" in text and "PO1 2AB" in text
    assert case.display_reference in text
    assert "Dear Rosa Diaz," in text
    assert "Thank you for your complaint." in text
    assert "Your complaint is handled by Hana Hale." in text
    assert "Please quote it whenever you write to us or call us." in text
    # A letter never carries the tracking link: staff download it, and no staff page hands
    # one out.
    assert case.tracking_token not in text and "/track/" not in text


def test_it_renders_a_letter_in_german(policy, hana):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana, language="de"))
    text = pdf_text(render_letter(letters(case).get()))
    assert case.display_reference in text
    assert "Sehr geehrte" in text or "Guten Tag" in text or "Hallo" in text
    assert "Wir haben Ihre Beschwerde erhalten" in text
    assert "Bitte geben Sie sie immer an, wenn Sie uns schreiben oder anrufen." in text
    assert "Referenznummer" in text
    assert "Dear" not in text and "Thank you" not in text and "Your reference" not in text


def test_it_never_sends_a_letter_from_the_dispatch_sweep_nor_from_the_task(
    policy, hana, time_machine
):
    time_machine.move_to(NOW, tick=False)
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    time_machine.move_to(NOW + dt.timedelta(days=3), tick=False)
    mail.outbox.clear()
    jobs.notifications_dispatch()
    assert notification_deliver(notification_id=letter.pk) is False
    letter.refresh_from_db()
    assert letter.status == Notification.Status.PENDING and letter.attempts == 0
    assert [m for m in mail.outbox if not m.to[0].endswith("@redress.example")] == []


def test_it_marks_a_letter_posted_once_at_the_moment_it_was_posted(policy, hana, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    time_machine.move_to(NOW + dt.timedelta(hours=5), tick=False)
    posted_at = NOW + dt.timedelta(hours=4)
    notification_mark_posted(notification=letter, posted_at=posted_at, user=hana)
    letter.refresh_from_db()
    assert letter.status == Notification.Status.SENT
    assert letter.sent_at == posted_at and letter.posted_by == hana
    assert case.display_reference in letter.subject

    with pytest.raises(LetterNotPostable, match="already marked posted"):
        notification_mark_posted(
            notification=letter, posted_at=NOW + dt.timedelta(hours=5), user=hana
        )
    letter.refresh_from_db()
    assert letter.sent_at == posted_at and letter.attempts == 1


def test_it_refuses_a_posting_moment_in_the_future_or_before_the_letter(policy, hana, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    for moment in (NOW + dt.timedelta(minutes=1), NOW - dt.timedelta(days=1)):
        with pytest.raises(LetterNotPostable):
            notification_mark_posted(notification=letter, posted_at=moment, user=hana)
    letter.refresh_from_db()
    assert letter.status == Notification.Status.PENDING


def test_it_refuses_to_mark_an_email_posted(policy, hana):
    case = services.complaint_acknowledge(
        complaint=logged_by_phone(hana, complainant_email="rosa@example.com")
    )
    email = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    with pytest.raises(LetterNotPostable, match="Only a letter"):
        notification_mark_posted(notification=email, posted_at=email.created_at, user=hana)


def test_it_writes_each_later_message_as_a_letter_with_the_same_dedupe_keys(policy, hana):
    case = case_in(State.RESPONDED, handler=hana, email="", complainant_address=ADDRESS)
    kinds = list(letters(case).values_list("kind", flat=True))
    assert kinds == [Notification.Kind.ACKNOWLEDGEMENT, Notification.Kind.RESPONSE]
    assert (
        not case.notifications.filter(channel=Notification.Channel.EMAIL)
        .exclude(kind__startswith="staff_")
        .exists()
    )
    response = letters(case).get(kind=Notification.Kind.RESPONSE)
    emailed = case_in(State.RESPONDED, handler=hana)
    # The outbox's one dedupe-key rule, whichever the channel (the events' ids aside).
    assert [
        re.sub(r"event-\d+", "event-#", key.replace(str(case.pk), "#", 1))
        for key in letters(case).values_list("dedupe_key", flat=True)
    ] == [
        re.sub(r"event-\d+", "event-#", key.replace(str(emailed.pk), "#", 1))
        for key in emailed.notifications.filter(
            kind__in=[Notification.Kind.ACKNOWLEDGEMENT, Notification.Kind.RESPONSE]
        )
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    ]
    text = pdf_text(render_letter(response))
    assert "let us know by letter or by phone" in text and "page linked below" not in text


def test_it_turns_a_bounced_email_into_a_letter_and_writes_later_messages_as_letters(policy, hana):
    case = case_in(State.INVESTIGATING, handler=hana, complainant_address=ADDRESS)
    ack = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    notification_deliver(notification_id=ack.pk)
    ack.refresh_from_db()
    inbound_email_process(
        raw=delivery_report(original_message_id=ack.message_id), source="imap", uid="1"
    )
    ack.refresh_from_db()
    assert ack.status == Notification.Status.FAILED

    [letter] = letters(case)
    assert letter.kind == Notification.Kind.ACKNOWLEDGEMENT
    assert letter.dedupe_key == f"{ack.dedupe_key}:letter"

    mail.outbox.clear()
    services.complaint_send_message(complaint=case, actor=Actor.staff(hana), body="Still on it.")
    message = case.notifications.get(kind=Notification.Kind.MESSAGE)
    assert notification_deliver(notification_id=message.pk) is False
    message.refresh_from_db()
    assert message.channel == Notification.Channel.LETTER and message.recipient == ""
    assert message.status == Notification.Status.PENDING
    assert mail.outbox == []

    # A corrected address brings email back.
    case.complainant_email = "rosa.diaz@example.org"
    case.save()
    services.complaint_send_message(complaint=case, actor=Actor.staff(hana), body="Found it.")
    latest = case.notifications.filter(kind=Notification.Kind.MESSAGE).latest("pk")
    assert notification_deliver(notification_id=latest.pk) is True
    latest.refresh_from_db()
    assert latest.channel == Notification.Channel.EMAIL and latest.status == "sent"
    assert latest.recipient == "rosa.diaz@example.org"


# The case page: the handler downloads the letter and marks it posted.


def case_url(case, name, *args):
    return reverse(f"admin:complaints_complaint_{name}", args=[case.pk, *args])


def test_it_shows_the_letter_to_post_on_the_case_and_marks_it_posted(client, policy, hana):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    client.force_login(hana)
    page = client.get(case_url(case, "change")).content.decode()
    assert "Post this letter" in page
    assert case_url(case, "letter_pdf", letter.pk) in page

    pdf = client.get(case_url(case, "letter_pdf", letter.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert case.display_reference in pdf_text(
        b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    )

    assert client.get(case_url(case, "letter_posted", letter.pk)).status_code == 405
    response = client.post(case_url(case, "letter_posted", letter.pk), follow=True)
    assert "marked posted" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Notification.Status.SENT and letter.posted_by == hana
    assert case.events.filter(action="letter_posted", actor=hana, is_public=False).exists()
    page = client.get(case_url(case, "change")).content.decode()
    assert "Post this letter" not in page and "Posted " in page

    again = client.post(case_url(case, "letter_posted", letter.pk), follow=True)
    assert "already marked posted" in again.content.decode()


def test_it_hides_another_handlers_letter(client, policy, hana):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    hugo = HandlerFactory(username="hugo")
    client.force_login(hugo)
    assert client.get(case_url(case, "letter_pdf", letter.pk)).status_code == 404
    assert client.post(case_url(case, "letter_posted", letter.pk)).status_code == 404
    letter.refresh_from_db()
    assert letter.status == Notification.Status.PENDING


def test_it_refuses_the_letter_to_staff_without_a_role(client, policy, hana):
    from tests.factories import UserFactory

    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    client.force_login(UserFactory(username="olga"))
    assert client.get(case_url(case, "letter_pdf", letter.pk)).status_code in (403, 404)
    assert client.post(case_url(case, "letter_posted", letter.pk)).status_code in (403, 404)


def test_it_does_not_serve_an_email_as_a_letter(client, policy, hana):
    case = services.complaint_acknowledge(
        complaint=logged_by_phone(hana, complainant_email="rosa@example.com")
    )
    email = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    client.force_login(hana)
    assert client.get(case_url(case, "letter_pdf", email.pk)).status_code == 404


def test_it_filters_the_queue_to_cases_with_letters_to_post(client, policy, hana):
    sam = SupervisorFactory(username="sam")
    by_post = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    by_email = services.complaint_acknowledge(
        complaint=logged_by_phone(
            hana, complainant_name="Otto Brandt", complainant_email="o@example.com"
        )
    )
    client.force_login(sam)
    page = client.get(reverse("admin:complaints_complaint_changelist") + "?letters=to_post")
    html = page.content.decode()
    assert "Letters to post" in html
    assert by_post.display_reference in html and by_email.display_reference not in html
    notification_mark_posted(
        notification=letters(by_post).get(), posted_at=letters(by_post).get().created_at, user=sam
    )
    html = client.get(
        reverse("admin:complaints_complaint_changelist") + "?letters=to_post"
    ).content.decode()
    assert by_post.display_reference not in html


def test_it_says_a_letter_was_created_when_a_handler_writes_to_a_complainant_without_email(
    client, policy, hana
):
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    case = services.complaint_start_investigation(complaint=case, actor=Actor.staff(hana))
    client.force_login(hana)
    response = client.post(
        case_url(case, "act", "send_message"), {"body": "We are on it."}, follow=True
    )
    html = response.content.decode()
    assert "is a letter to post" in html and "on its way" not in html
    assert letters(case).filter(kind=Notification.Kind.MESSAGE).exists()


def test_it_does_not_claim_an_email_when_logging_a_phoned_complaint_without_one(
    client, policy, hana
):
    client.force_login(hana)
    response = client.post(
        reverse("admin:complaints_complaint_add"),
        {
            "channel": "phone",
            "received_at_0": "2026-03-02",
            "received_at_1": "09:00",
            "complainant_name": "Rosa Diaz",
            "complainant_phone": "+44 20 7946 0000",
            "complainant_address": ADDRESS,
            "language": "en",
            "description": "Charged twice.",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "letters to post" in html
    assert "email" not in html.split("logged.")[1].split("</li>")[0].replace("no email address", "")


class RefusingMailServer(MailServer):
    """An SMTP server that refuses one address, as a receiving server does for a user unknown."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "gone@example.com":
            return "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(settings):
    server = RefusingMailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.REDRESS_NOTIFICATION_MAX_ATTEMPTS = 1
    yield server
    server.stop()


def test_it_posts_what_a_mail_server_refused_for_the_address(policy, hana, refusing_smtp):
    case = services.complaint_acknowledge(
        complaint=logged_by_phone(hana, complainant_email="gone@example.com")
    )
    ack = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT, channel="email")
    assert notification_deliver(notification_id=ack.pk) is False
    ack.refresh_from_db()
    assert ack.status == Notification.Status.FAILED and "550" in ack.last_error
    assert letters(case).get().kind == Notification.Kind.ACKNOWLEDGEMENT
    assert refusing_smtp.messages == []


def test_it_does_not_turn_emails_into_letters_when_our_mail_server_is_down(policy, hana, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.REDRESS_NOTIFICATION_MAX_ATTEMPTS = 1
    case = services.complaint_acknowledge(
        complaint=logged_by_phone(hana, complainant_email="rosa@example.com")
    )
    ack = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT, channel="email")
    assert notification_deliver(notification_id=ack.pk) is False
    ack.refresh_from_db()
    assert ack.status == Notification.Status.FAILED
    assert not letters(case).exists()


def test_it_lists_letters_to_post_in_the_outbox(client, policy, hana):
    by_post = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    services.complaint_acknowledge(
        complaint=logged_by_phone(hana, complainant_email="otto@example.com")
    )
    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:notifications_notification_changelist")
    page = client.get(url + "?delivery=to_post").content.decode()
    assert str(by_post) in page and "otto@example.com" not in page


def test_it_records_the_moment_the_handler_says_the_letter_was_posted(
    client, policy, hana, time_machine
):
    time_machine.move_to(NOW, tick=False)
    case = services.complaint_acknowledge(complaint=logged_by_phone(hana))
    letter = letters(case).get()
    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    client.force_login(hana)
    url = case_url(case, "letter_posted", letter.pk)

    for bad in ("yesterday", "2026-03-04T09:00", "2026-03-01T09:00"):  # junk, future, too early
        response = client.post(url, {"posted_at": bad}, follow=True)
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
        letter.refresh_from_db()
        assert letter.status == Notification.Status.PENDING

    client.post(url, {"posted_at": "2026-03-02T16:30"})
    letter.refresh_from_db()
    assert letter.status == Notification.Status.SENT
    assert letter.sent_at == dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)


def test_it_emails_a_requested_tracking_link_even_to_an_address_that_bounced(policy, hana):
    case = case_in(State.INVESTIGATING, handler=hana, complainant_address=ADDRESS)
    ack = case.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
    notification_deliver(notification_id=ack.pk)
    ack.refresh_from_db()
    inbound_email_process(
        raw=delivery_report(original_message_id=ack.message_id), source="imap", uid="1"
    )
    services.complaint_send_tracking_link(complaint=case)
    link = case.notifications.get(kind=Notification.Kind.TRACKING_LINK)
    assert notification_deliver(notification_id=link.pk) is True
    link.refresh_from_db()
    assert link.channel == Notification.Channel.EMAIL and link.status == "sent"
