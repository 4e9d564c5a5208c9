"""Bad input on the submission form: a clear message or a 4xx, never a 500, nothing stored."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from complaints.models import Attachment, Complaint
from tests.publicsite import complaint_data, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_fill_delay(settings, policy):
    settings.REDRESS_FORM_MIN_SECONDS = 0


def post(client, **overrides):
    files = overrides.pop("files", None)
    data = complaint_data(**overrides)
    if files is not None:
        data["files"] = files
    return client.post(reverse("complaint-new"), data)


def refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()


def test_it_refuses_an_over_long_name(client):
    refused(post(client, complainant_name="R" * 201), "at most 200 characters")


def test_it_refuses_an_over_long_description(client):
    refused(post(client, description="x" * 10001), "at most 10000 characters")


def test_it_refuses_control_characters(client):
    refused(post(client, complainant_name="Rosa\x1bDiaz"), "Remove the control characters")


def test_it_refuses_nul_bytes(client):
    refused(post(client, description="charged\x00twice"), "Remove the control characters")


def test_it_refuses_an_invalid_email(client):
    refused(post(client, complainant_email="rosa@"), "Enter a valid email address")


def test_it_refuses_an_incident_date_in_the_future(client):
    refused(post(client, incident_date="2999-01-01"), "cannot be in the future")


def test_it_refuses_an_empty_description(client):
    refused(post(client, description="   "), "This field is required")


def test_it_refuses_a_30_mb_file_and_keeps_what_was_typed(client):
    big = upload("statement.pdf", b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024))
    response = post(client, files=[big])
    refused(response, "a file may be at most 10.0\xa0MB")
    assert "I was charged twice for March." in response.content.decode()


def test_it_refuses_files_over_the_limit_per_case(client, settings):
    settings.REDRESS_UPLOAD_MAX_CASE_BYTES = 100
    files = [upload("a.txt", b"a" * 80), upload("b.txt", b"b" * 80)]
    refused(post(client, files=files), "a complaint may hold at most 100")


def test_it_refuses_a_renamed_executable(client):
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
    refused(post(client, files=[upload("invoice.pdf", executable)]), "not a file type we accept")


def test_it_refuses_an_image_that_is_not_one(client):
    fake = b"\x89PNG\r\n\x1a\n" + b"this is not really a png" * 10
    refused(post(client, files=[upload("photo.png", fake)]), "not a file type we accept")


def test_it_refuses_text_named_as_an_image(client):
    refused(post(client, files=[upload("photo.jpg", b"hello\n")]), "does not contain what its")


def test_it_stores_a_path_traversal_file_name_as_a_plain_name(client):
    response = post(client, files=[upload("../../../etc/passwd.png", png_bytes())])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.png"
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith(f"attachments/{attachment.complaint_id}/")
    assert default_storage.exists(attachment.file.name)


def test_it_refuses_a_filled_honeypot(client):
    refused(post(client, website="http://spam.example"), "Leave the last field empty")


def test_it_refuses_a_form_sent_too_quickly(client, settings):
    settings.REDRESS_FORM_MIN_SECONDS = 60
    refused(post(client), "That was very quick")


def test_it_refuses_a_tampered_stamp(client):
    refused(post(client, stamp="forged:stamp"), "This form has expired")


def test_it_refuses_a_replayed_form_without_a_second_complaint(client):
    data = complaint_data()
    assert client.post(reverse("complaint-new"), data).status_code == 302
    response = client.post(reverse("complaint-new"), data)
    assert response.status_code == 400
    assert "This form was already sent" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_it_refuses_a_post_without_a_csrf_token(policy):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("complaint-new"), complaint_data())
    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_it_refuses_consent_left_unticked(client):
    refused(post(client, consent=None), "This field is required")
