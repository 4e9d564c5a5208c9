"""The case page: transitions as buttons and forms, correspondence, files, timeline, history."""

import datetime as dt
import hashlib
import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import strip_spaces_between_tags
from django.utils.timezone import localtime

from complaints import clock, services
from complaints.actors import Actor
from complaints.admin.timeline import EVENTS, case_timeline, case_timeline_rows
from complaints.models import Attachment, DeadlineExtension, Message
from notifications.models import Notification
from tests.console.pages import act_url, change_url, walk_to
from tests.timelines import case_with_every_step, timeline_rows_from_models

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def buttons(response):
    return {action.name for action in response.context["case_buttons"]}


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_it_offers_only_the_transitions_allowed_now(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    response = client.get(change_url(case))
    assert response.status_code == 200
    assert buttons(response) == {
        "acknowledge",
        "withdraw",
        "assign",
        "extend_deadline",
        "mark_complex",
        "revoke_tracking_link",
        "vulnerability",
        "record_redress",
    }
    assert re.search(rb"Acknowledge\s*</button>", response.content)


def test_it_offers_the_investigation_steps_once_investigating(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    assert {"request_information", "respond", "escalate"} <= buttons(client.get(change_url(case)))


def test_it_never_lets_the_state_be_edited_as_a_field(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    response = client.get(change_url(case))
    assert 'name="state"' not in response.content.decode()
    client.post(
        change_url(case),
        {
            "complainant_name": "Rosa Diaz",
            "complainant_email": "rosa@example.com",
            "complainant_phone": "+44 20 7946 0000",
            "language": "en",
            "state": "resolved",
        },
    )
    case.refresh_from_db()
    assert case.state == "received"
    assert case.complainant_phone == "+44 20 7946 0000"


def test_it_shows_what_is_wrong_with_a_correction_and_keeps_the_case(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    response = client.post(
        change_url(case),
        {"complainant_name": "Rosa Diaz", "complainant_email": "rosa@", "language": "en"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "field-complainant_email errors" in content
    assert "Enter a valid email address." in content
    assert "Awaiting information" in content  # the read-only fields still show
    case.refresh_from_db()
    assert case.complainant_email == "rosa@example.com"


def test_it_escapes_what_the_complainant_wrote(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    case.description = "<script>alert(1)</script>"
    case.save()
    client.force_login(hana)
    content = client.get(change_url(case)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_it_escapes_the_correspondence_and_notes_in_the_timeline(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=case, body="<img src=x onerror=alert(1)>")
    services.complaint_add_note(complaint=case, actor=Actor.staff(hana), body="<b>bold</b>\nnext")
    client.force_login(hana)
    content = client.get(change_url(case)).content.decode()
    assert "<img src=x" not in content and "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "<b>bold</b>" not in content and "&lt;b&gt;bold&lt;/b&gt;<br>next" in content


def test_it_acknowledges_with_one_click_through_the_service(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    response = client.post(act_url(case, "acknowledge"), follow=True)
    case.refresh_from_db()
    assert case.state == "acknowledged"
    assert case.events.filter(action="acknowledge", actor=hana).exists()
    assert Notification.objects.filter(complaint=case, kind="acknowledgement").exists()
    assert any("acknowledged" in text for text in messages_of(response))


def test_it_refuses_a_transition_that_is_no_longer_allowed(client, policy, hana):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    response = client.post(act_url(case, "acknowledge"), follow=True)
    assert any("not possible" in text and "Acknowledged" in text for text in messages_of(response))


def test_it_refuses_a_get_on_a_one_click_transition(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    assert client.get(act_url(case, "acknowledge")).status_code == 405
    case.refresh_from_db()
    assert case.state == "received"


def test_it_asks_for_information_through_the_outbox(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    assert client.get(act_url(case, "request_information")).status_code == 200
    client.post(act_url(case, "request_information"), {"body": "Which card was charged?"})
    case.refresh_from_db()
    assert case.awaiting_information
    assert Message.objects.get(complaint=case, is_information_request=True).body == (
        "Which card was charged?"
    )
    assert Notification.objects.filter(complaint=case, kind="information_request").exists()


RESPONSE = {
    "findings": "We charged the card twice.",
    "actions": "Refunded the second charge.",
    "remedies": ["refund", "apology"],
    "redress_amount": "12.50",
    "redress_currency": "gbp",
    "reasoning": "The duplicate was our error.",
    "outcome": "upheld",
}


def test_it_sends_the_response_from_its_form(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    page = client.get(act_url(case, "respond")).content.decode()
    for field in RESPONSE:
        assert f'name="{field}"' in page
    response = client.post(act_url(case, "respond"), RESPONSE)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "responded"
    assert case.remedies == ["refund", "apology"]
    assert str(case.redress_amount) == "12.50"
    assert case.redress_currency == "GBP"
    assert Notification.objects.filter(complaint=case, kind="response").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"redress_amount": "-1"}, "redress_amount"),
        ({"redress_amount": "", "redress_currency": "EUR"}, "redress_amount"),
        ({"redress_currency": "euro"}, "redress_currency"),
        ({"findings": ""}, "findings"),
        ({"reasoning": " "}, "reasoning"),
        ({"outcome": "maybe"}, "outcome"),
        ({"remedies": ["a_pony"]}, "remedies"),
    ],
)
def test_it_refuses_an_incomplete_response_and_changes_nothing(client, policy, hana, change, field):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    response = client.post(act_url(case, "respond"), RESPONSE | change)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    case.refresh_from_db()
    assert case.state == "investigating"


def test_it_extends_the_deadline_with_a_reason(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    new = clock.now() + dt.timedelta(days=40)
    client.force_login(hana)
    client.post(
        act_url(case, "extend_deadline"),
        {
            "resolve_by_0": new.strftime("%Y-%m-%d"),
            "resolve_by_1": "12:00:00",
            "reason": "We await the bank.",
        },
    )
    extension = DeadlineExtension.objects.get(complaint=case)
    assert extension.reason == "We await the bank."
    assert Notification.objects.filter(complaint=case, kind="deadline_extended").exists()


def test_it_refuses_a_deadline_in_the_past(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    response = client.post(
        act_url(case, "extend_deadline"),
        {"resolve_by_0": "2001-01-01", "resolve_by_1": "12:00:00", "reason": "Late."},
    )
    assert "resolve_by" in response.context["form"].errors
    assert not DeadlineExtension.objects.exists()


def test_it_reports_a_refusal_of_the_service_on_the_form(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    earlier = case.resolve_by - dt.timedelta(days=1)
    client.force_login(hana)
    response = client.post(
        act_url(case, "extend_deadline"),
        {
            "resolve_by_0": earlier.strftime("%Y-%m-%d"),
            "resolve_by_1": earlier.strftime("%H:%M:%S"),
            "reason": "Sooner?",
        },
    )
    assert response.status_code == 200
    assert "The new date must be later than the current one." in messages_of(response)


@pytest.mark.parametrize(
    "state, action, data, expected",
    [
        ("investigating", "escalate", {"grounds": "The customer asks for a manager."}, "escalated"),
        ("acknowledged", "withdraw", {"reason": "The customer withdrew by phone."}, "withdrawn"),
        ("resolved", "reopen", {"reason": "New evidence arrived."}, "investigating"),
        ("investigating", "mark_complex", {"reason": "Three suppliers involved."}, "investigating"),
        ("acknowledged", "start_investigation", None, "investigating"),
        ("responded", "resolve", {"note": ""}, "resolved"),
    ],
)
def test_it_moves_the_case_through_each_transition(
    client, policy, hana, state, action, data, expected
):
    case = walk_to(state, by=hana, handler=hana)
    client.force_login(hana)
    if data is not None:
        assert client.get(act_url(case, action)).status_code == 200
        assert client.post(act_url(case, action), {}).status_code == 200  # empty: refused
    response = client.post(act_url(case, action), data or {})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == expected
    assert case.events.filter(action=action.replace("mark_complex", "deadline_extended")).exists()


def test_it_assigns_the_case_to_another_handler(client, policy, hana, hugo):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    client.post(act_url(case, "assign"), {"handler": hugo.pk})
    case.refresh_from_db()
    assert case.handler == hugo


def test_it_sends_a_message_and_keeps_a_note_apart(client, policy, hana):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    client.post(act_url(case, "send_message"), {"body": "We are looking into it."})
    client.post(act_url(case, "add_note"), {"body": "Customer sounded upset."})
    assert Message.objects.get(complaint=case, direction="outbound").body == (
        "We are looking into it."
    )
    assert Message.objects.get(complaint=case, direction="note").body == ("Customer sounded upset.")
    kinds = list(Notification.objects.filter(complaint=case).values_list("kind", flat=True))
    assert kinds.count("message") == 1
    page = client.get(change_url(case)).content.decode()
    assert "We are looking into it." in page
    assert "Customer sounded upset." in page


def test_it_shows_the_complainants_reply_on_the_case_page(client, policy, hana):
    from complaints import services

    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=case, body="It was my Visa card.")
    client.force_login(hana)
    assert "It was my Visa card." in client.get(change_url(case)).content.decode()


def test_it_stores_an_uploaded_file_privately_under_a_random_name(client, policy, hana):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    content = b"call notes"
    upload = SimpleUploadedFile("../../call notes.txt", content, content_type="text/plain")
    client.post(act_url(case, "attach_file"), {"upload": upload, "is_internal": "on"})
    attachment = Attachment.objects.get(complaint=case)
    assert attachment.is_internal
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.stored_name not in "call notes.txt"
    assert attachment.file.name == f"attachments/{case.pk}/{attachment.stored_name}"
    download = client.get(reverse("admin:complaints_complaint_file", args=[case.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]


def test_it_refuses_a_file_over_the_limit(client, policy, hana, settings):
    settings.REDRESS_UPLOAD_MAX_FILE_BYTES = 4
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    upload = SimpleUploadedFile("big.txt", b"too big", content_type="text/plain")
    response = client.post(act_url(case, "attach_file"), {"upload": upload})
    assert response.status_code == 200
    assert "a file may be at most" in response.content.decode()
    assert not Attachment.objects.exists()


def test_it_refuses_an_executable_renamed_as_text(client, policy, hana):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    upload = SimpleUploadedFile(
        "notes.txt", b"MZ\x90\x00\x03\x00\x00\x00", content_type="text/plain"
    )
    response = client.post(act_url(case, "attach_file"), {"upload": upload})
    assert response.status_code == 200
    assert "not a file type we accept" in response.content.decode()
    assert not Attachment.objects.exists()


def test_it_shows_every_step_in_the_timeline_in_order(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    client.post(act_url(case, "add_note"), {"body": "Checked the ledger."})
    Notification.objects.filter(complaint=case, kind="acknowledgement").update(
        status="failed", last_error="Mailbox full"
    )
    client.post(
        act_url(case, "extend_deadline"),
        {
            "resolve_by_0": (clock.now() + dt.timedelta(days=60)).strftime("%Y-%m-%d"),
            "resolve_by_1": "10:00:00",
            "reason": "Waiting on the courier.",
        },
    )
    response = client.get(change_url(case))
    timeline = response.context["timeline"]
    assert [entry.at for entry in timeline] == sorted(entry.at for entry in timeline)
    kinds = {entry.kind for entry in timeline}
    assert {"event", "note", "notification", "extension"} <= kinds
    content = response.content.decode()
    assert "Delivery failed" in content
    assert "Mailbox full" in content
    assert "Received → Acknowledged" in content
    assert "Waiting on the courier." in content


def test_it_reads_in_one_statement_the_timeline_the_models_give(policy, hana):
    case = case_with_every_step(hana)
    rows = case_timeline_rows(case)
    assert Counter(rows) == timeline_rows_from_models(case)
    assert {row[2] for row in rows if row[0] == "event"} == {*EVENTS, "letter_posted"}
    timeline = case_timeline(case)
    [first, second] = [entry for entry in timeline if entry.kind == "extension"]
    extensions = list(DeadlineExtension.objects.filter(complaint=case).order_by("created_at"))
    assert [first.body, second.body] == [extension.reason for extension in extensions]
    assert second.title.endswith(f"to {localtime(extensions[1].new):%Y-%m-%d %H:%M}")
    posted = case.notifications.get(channel="letter", status="sent").sent_at
    assert {(entry.letter, entry.status) for entry in timeline if entry.kind == "notification"} == {
        (False, "Delivery failed"),
        (False, "Sent"),
        (True, "To post"),
        (True, f"Posted {localtime(posted):%Y-%m-%d}"),
    }


def test_it_shows_the_field_history_without_a_revert(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    history = client.get(reverse("admin:complaints_complaint_history", args=[case.pk]))
    assert history.status_code == 200
    version = case.history.earliest("history_date")
    page = client.get(
        reverse("admin:complaints_complaint_simple_history", args=[case.pk, version.pk])
    )
    assert page.status_code == 200
    assert b"Revert" not in page.content


def test_it_starts_the_response_with_no_outcome_and_refuses_one_left_unchosen(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    page = client.get(act_url(case, "respond")).content.decode()
    assert re.search(r'<option value=""[^>]*selected', page)
    response = client.post(
        act_url(case, "respond"), {"findings": "Charged twice.", "reasoning": "Our error."}
    )
    assert response.status_code == 200
    assert "Choose the outcome of the complaint." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "investigating"


def test_it_asks_before_resolving(client, policy, hana):
    case = walk_to("responded", by=hana, handler=hana)
    client.force_login(hana)
    page = client.get(act_url(case, "resolve"))
    assert page.status_code == 200
    assert "The case closes and the complainant is told it is resolved." in page.content.decode()
    case.refresh_from_db()
    assert case.state == "responded"


def test_it_shows_each_message_once_and_names_events_in_the_staff_language(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=case, body="My reply.")
    services.complaint_add_note(complaint=case, actor=Actor.staff(hana), body="My note.")
    client.force_login(hana)
    response = client.get(change_url(case), HTTP_ACCEPT_LANGUAGE="de")
    titles = [entry.title for entry in response.context["timeline"]]
    assert sum(entry.body == "My reply." for entry in response.context["timeline"]) == 1
    assert sum(entry.body == "My note." for entry in response.context["timeline"]) == 1
    assert not any(title.startswith(("Customer message", "Note added")) for title in titles)
    assert any(title.startswith("Untersuchung begonnen") for title in titles)


def test_it_names_the_channel_of_a_german_complaint_in_the_staff_language(client, policy, hana):
    from django.utils import translation

    from complaints.choices import Channel

    with translation.override("de"):
        case = services.complaint_submit(
            channel=Channel.WEB, complainant_name="Rosa Diaz", description="Zweimal abgebucht."
        )
    client.force_login(hana)
    services.complaint_assign(complaint=case, actor=Actor.staff(hana), handler=hana)
    timeline = client.get(change_url(case), HTTP_ACCEPT_LANGUAGE="en").context["timeline"]
    received = next(entry for entry in timeline if entry.title == "Received")
    assert received.body == "Web form"


@pytest.mark.parametrize(
    "deadline, due_soon, state",
    [
        (dt.timedelta(days=-1), dt.timedelta(days=-3), "investigating"),  # overdue
        (dt.timedelta(days=2), dt.timedelta(days=-1), "investigating"),  # due soon
        (dt.timedelta(days=9), dt.timedelta(days=5), "investigating"),  # on track
        (dt.timedelta(days=9), None, "investigating"),  # on track, no warning set
        (None, None, "investigating"),  # no deadline
        (dt.timedelta(days=-1), dt.timedelta(days=-3), "resolved"),  # closed: none
    ],
)
def test_it_shows_the_deadline_badge_the_queue_shows(
    client, policy, hana, deadline, due_soon, state
):
    from complaints.admin import clocks
    from complaints.models import Complaint

    case = walk_to(state, by=hana, handler=hana)
    now = clock.now()
    Complaint.objects.filter(pk=case.pk).update(
        next_deadline=now + deadline if deadline is not None else None,
        due_soon_at=now + due_soon if due_soon is not None else None,
        clock_paused_at=None,
    )
    case.refresh_from_db()
    in_queue = Complaint.objects.with_deadline_state(now).get(pk=case.pk).deadline_state
    assert clocks.next_deadline_state(case, now) == in_queue
    client.force_login(hana)
    content = client.get(change_url(case)).content.decode()
    if in_queue == "none":
        assert "deadline-" not in content.split('field-deadline"')[1].split("field-row")[0]
    else:
        assert f'class="deadline deadline-{in_queue}"' in content


def test_it_draws_the_history_link_as_the_theme_draws_it(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    page = client.get(change_url(case)).content.decode()
    link = reverse("admin:complaints_complaint_history", args=[case.pk])
    theirs = get_template("unfold/helpers/tab_action.html").render(
        {"title": "History", "link": link, "icon": "history"}
    )
    assert strip_spaces_between_tags(theirs.strip()) in page
