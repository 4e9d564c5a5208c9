"""Submitting a complaint on the web form stores it with its files and confirms it on screen."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from complaints.models import Attachment, Complaint
from tests.factories import CategoryFactory
from tests.publicsite import complaint_data, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_fill_delay(settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0


@pytest.fixture
def billing(policy):
    parent = CategoryFactory(name="Billing")
    return CategoryFactory(name="Charged twice", parent=parent)


def test_it_shows_categories_with_their_sub_types_grouped(client, billing):
    page = client.get(reverse("complaint-new")).content.decode()
    assert '<optgroup label="Billing">' in page
    assert f'<option value="{billing.pk}">Charged twice</option>' in page


def test_it_stores_the_complaint_with_its_files_and_confirms_it(client, billing):
    data = complaint_data(category=billing.pk)
    data["files"] = [upload("receipt.png", png_bytes()), upload("notes.txt", b"Called twice.\n")]
    response = client.post(reverse("complaint-new"), data)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "web"
    assert complaint.category == billing
    assert complaint.incident_at is not None
    attachments = list(Attachment.objects.filter(complaint=complaint).order_by("pk"))
    assert [a.content_type for a in attachments] == ["image/png", "text/plain"]
    assert [a.original_name for a in attachments] == ["receipt.png", "notes.txt"]
    assert all(a.stored_name not in ("receipt.png", "notes.txt") for a in attachments)
    assert all(len(a.sha256) == 64 and a.size > 0 for a in attachments)
    page = client.get(response["Location"]).content.decode()
    assert complaint.display_reference in page
    assert complaint.tracking_token not in page


def test_it_shows_the_expected_dates_in_the_policy_time_zone(client, billing):
    client.post(reverse("complaint-new"), complaint_data(category=billing.pk))
    complaint = Complaint.objects.get()
    page = client.get(reverse("complaint-submitted")).content.decode()
    assert "Europe/London" in page
    assert complaint.resolve_by.astimezone(complaint.policy.calendar().tz).strftime("%Y") in page


def test_it_records_a_german_complaint_in_german(client, policy):
    client.cookies["django_language"] = "de"
    response = client.post(reverse("complaint-new"), complaint_data())
    assert response.status_code == 302
    assert Complaint.objects.get().language == "de"
    page = client.get(response["Location"]).content.decode()
    assert "Wir haben Ihre Beschwerde erhalten" in page


def test_it_hides_and_requires_fields_as_configured(client, policy, settings):
    settings.REDRESS_FORM_FIELDS = settings.REDRESS_FORM_FIELDS | {
        "complainant_phone": "hidden",
        "account_identifier": "required",
    }
    page = client.get(reverse("complaint-new")).content.decode()
    assert 'name="complainant_phone"' not in page
    response = client.post(reverse("complaint-new"), complaint_data(account_identifier=""))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_it_sends_the_confirmation_page_only_to_the_browser_that_submitted(client, billing):
    response = client.get(reverse("complaint-submitted"))
    assert response.status_code == 302
    client.post(reverse("complaint-new"), complaint_data(category=billing.pk))
    reference = Complaint.objects.get().display_reference
    assert reference in client.get(reverse("complaint-submitted")).content.decode()
    other = Client()
    assert other.get(reverse("complaint-submitted")).status_code == 302
    other.cookies["redress_submitted"] = Complaint.objects.get().reference  # unsigned: refused
    assert other.get(reverse("complaint-submitted")).status_code == 302


def test_a_submission_stores_no_session_for_the_complainant(client, billing):
    response = client.post(reverse("complaint-new"), complaint_data(category=billing.pk))
    assert response.status_code == 302
    assert response.cookies["redress_submitted"]["httponly"]
    assert not Session.objects.exists()
