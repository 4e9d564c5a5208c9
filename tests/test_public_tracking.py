"""The lookup emails a fresh link; the case page shows the complainant's side of the case."""

import pytest
from django.urls import reverse

from complaints import services, tasks
from complaints.actors import Actor
from complaints.models import Attachment, Complaint
from notifications.models import Notification
from tests.factories import HandlerFactory
from tests.publicsite import bring_to_responded, submit_web, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(policy):
    return submit_web()


@pytest.fixture
def lookup(client, django_capture_on_commit_callbacks, monkeypatch):
    """Post the lookup form and run the task it queues, as a worker would."""
    monkeypatch.setattr(
        tasks.send_tracking_link, "apply_async", lambda args, **kw: tasks.send_tracking_link(*args)
    )

    def post(reference, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("track-lookup"), {"reference": reference, "email": email})

    return post


def test_it_emails_the_current_link_when_reference_and_email_match(client, complaint, lookup):
    token = complaint.tracking_token
    response = lookup(complaint.display_reference.lower(), "ROSA@example.com")
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.tracking_token == token
    assert Notification.objects.filter(complaint=complaint, kind="tracking_link").count() == 1
    assert client.get(complaint.tracking_path()).status_code == 200


def test_it_answers_the_same_whether_or_not_the_details_match(complaint, lookup):
    matching = lookup(complaint.reference, "rosa@example.com").content
    other = lookup(complaint.reference, "mallory@example.com").content
    token_free = [page.replace(b"csrfmiddlewaretoken", b"") for page in (matching, other)]
    assert len(token_free[0]) == len(token_free[1])
    assert Notification.objects.filter(kind="tracking_link").count() == 1


def test_it_refuses_a_tampered_token(client, complaint):
    assert (
        client.get(reverse("track-case", args=[complaint.tracking_token + "x"])).status_code == 404
    )
    assert client.get(reverse("track-case", args=["a" * 500])).status_code == 404


def test_it_refuses_a_revoked_token(client, complaint):
    old = complaint.tracking_token
    services.complaint_rotate_token(complaint=complaint, actor=Actor.staff(HandlerFactory()))
    assert client.get(reverse("track-case", args=[old])).status_code == 410


def test_it_shows_messages_to_and_from_the_complainant_but_no_internal_note(client, complaint):
    handler = Actor.staff(HandlerFactory())
    case = services.complaint_acknowledge(complaint=complaint)
    services.complaint_send_message(complaint=case, actor=handler, body="We are on it.")
    services.complaint_add_note(complaint=case, actor=handler, body="Secret internal remark")
    services.complaint_record_customer_reply(complaint=case, body="Thanks <b>a lot</b>")
    page = client.get(complaint.tracking_path()).content.decode()
    assert "We are on it." in page
    assert "Thanks &lt;b&gt;a lot&lt;/b&gt;" in page
    assert "Secret internal remark" not in page


def test_it_adds_the_complainants_information_with_files(client, complaint):
    response = client.post(
        reverse("track-reply", args=[complaint.tracking_token]),
        {"body": "Here is the receipt.", "files": [_text_file()]},
    )
    assert response.status_code == 302
    message = complaint.messages.get()
    assert message.body == "Here is the receipt."
    assert Attachment.objects.get().message == message


def test_it_resumes_an_investigation_when_the_complainant_answers(client, complaint):
    handler = Actor.staff(HandlerFactory())
    case = services.complaint_acknowledge(complaint=complaint)
    case = services.complaint_start_investigation(complaint=case, actor=handler)
    services.complaint_request_information(complaint=case, actor=handler, body="Which card?")
    client.post(reverse("track-reply", args=[case.tracking_token]), {"body": "The Visa one."})
    case.refresh_from_db()
    assert case.awaiting_information is False


def test_it_lets_the_complainant_accept_the_response(client, responded):
    client.post(reverse("track-accept", args=[responded.tracking_token]))
    responded.refresh_from_db()
    assert responded.state == "resolved"


def test_it_lets_the_complainant_ask_for_a_review_with_reasons(client, responded):
    url = reverse("track-escalate", args=[responded.tracking_token])
    assert client.post(url, {"grounds": ""}).status_code == 400
    client.post(url, {"grounds": "The refund is too small."})
    responded.refresh_from_db()
    assert responded.state == "escalated"
    assert responded.escalations.get().grounds == "The refund is too small."


def test_it_refuses_a_review_after_the_window(client, responded, time_machine):
    time_machine.move_to(responded.escalate_until.replace(year=responded.escalate_until.year + 1))
    response = client.post(
        reverse("track-escalate", args=[responded.tracking_token]), {"grounds": "Late."}
    )
    assert response.status_code == 302
    responded.refresh_from_db()
    assert responded.state == "responded"


def test_it_withdraws_only_after_confirmation(client, complaint):
    url = reverse("track-withdraw", args=[complaint.tracking_token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Sorted."}).status_code == 400
    complaint.refresh_from_db()
    assert complaint.state == "received"
    client.post(url, {"reason": "Sorted.", "confirm": "on"})
    complaint.refresh_from_db()
    assert complaint.state == "withdrawn"


def test_it_takes_a_rating_once_after_resolution(client, responded):
    client.post(reverse("track-accept", args=[responded.tracking_token]))
    url = reverse("track-rate", args=[responded.tracking_token])
    client.post(url, {"rating": "4", "comment": "Quick and fair."})
    client.post(url, {"rating": "1", "comment": "Changed my mind."})
    case = Complaint.objects.get()
    assert (case.satisfaction_rating, case.satisfaction_comment) == (4, "Quick and fair.")
    assert case.events.filter(action="rated").count() == 1


def test_it_refuses_a_rating_before_resolution(client, complaint):
    client.post(reverse("track-rate", args=[complaint.tracking_token]), {"rating": "5"})
    complaint.refresh_from_db()
    assert complaint.satisfaction_rating is None


def _text_file():
    return upload("receipt.txt", b"Paid 9.99 twice.\n")


@pytest.fixture
def responded(complaint):
    return bring_to_responded(complaint, HandlerFactory())
