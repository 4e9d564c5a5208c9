"""The organisation's app submits a complaint for its signed-in customer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiSubmission
from complaints.models import Attachment, Complaint
from tests.api.conftest import complaint_json
from tests.publicsite import png_bytes, upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"
API_SUBMISSION_QUERIES = 11


def test_it_records_the_complaint_on_the_in_app_channel_and_answers_with_reference_and_dates(
    api, billing
):
    response = api.post(URL, complaint_json(billing), format="json")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    body = response.json()
    assert body["reference"] == complaint.display_reference
    assert complaint.channel == "in_app"
    assert complaint.account_identifier == "CUST-1001"
    assert complaint.complainant_email == "rosa@example.com"
    assert body["expected"]["full_response_by"] == complaint.resolve_by.isoformat().replace(
        "+00:00", "Z"
    )
    assert body["expected"]["acknowledge_by"] is not None
    assert body["tracking_url"].endswith(f"/track/{complaint.tracking_token}/")
    assert response["Location"] == reverse("api-complaint", args=[complaint.display_reference])
    received, source = complaint.events.order_by("pk")
    assert received.action == "received"
    assert (source.action, source.is_public) == ("submitted_through_app", False)
    assert source.note == "Acme app, API; account identifier given by the app"


def test_it_takes_the_dashboard_channel_and_german(api, billing):
    data = complaint_json(billing, channel="dashboard", language="de")
    assert api.post(URL, data, format="json").status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.language) == ("dashboard", "de")


def test_it_stores_files_sent_as_multipart(api, billing):
    data = complaint_json(billing)
    data["files"] = [upload("receipt.png", png_bytes()), upload("notes.txt", b"Called twice.\n")]
    response = api.post(URL, data, format="multipart")
    assert response.status_code == 201, response.content
    names = sorted(Attachment.objects.values_list("original_name", flat=True))
    assert names == ["notes.txt", "receipt.png"]


def test_it_refuses_a_file_the_public_form_refuses_and_stores_nothing(api, billing):
    data = complaint_json(billing)
    data["files"] = [upload("invoice.pdf", b"MZ\x90\x00 not a pdf")]
    response = api.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].startswith("urn:redress:problem:")
    assert problem["errors"][0]["pointer"] == "#/files"
    assert "invoice.pdf" in problem["errors"][0]["detail"]
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize(
    "change, pointer",
    [
        ({"description": ""}, "#/description"),
        ({"complainant_email": "not-an-address"}, "#/complainant_email"),
        ({"account_identifier": None}, "#/account_identifier"),
        ({"category": 999999}, "#/category"),
        ({"incident_date": "2999-01-01"}, "#/incident_date"),
        ({"description": "Null \x00 byte"}, "#/description"),
        ({"complainant_name": ["a", "list"]}, "#/complainant_name"),
    ],
)
def test_it_answers_bad_input_with_a_problem_naming_the_field_and_stores_nothing(
    api, billing, change, pointer
):
    response = api.post(URL, complaint_json(billing) | change, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert not Complaint.objects.exists() and not ApiSubmission.objects.exists()


def test_it_answers_malformed_json_with_a_problem(api, billing):
    response = api.generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["title"] == "Bad request"
    assert not Complaint.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_complaint(api, billing):
    data = complaint_json(billing)
    first = api.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="order-77-complaint")
    again = api.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="order-77-complaint")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["reference"] == again.json()["reference"]
    assert Complaint.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused_with_a_reason(api, billing):
    api.post(URL, complaint_json(billing), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api.post(
        URL,
        complaint_json(billing, description="Something else."),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Complaint.objects.count() == 1


def test_a_different_key_makes_a_second_complaint(api, billing):
    api.post(URL, complaint_json(billing), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    api.post(URL, complaint_json(billing), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert Complaint.objects.count() == 2


def test_an_idempotency_key_that_is_not_printable_ascii_is_refused(api, billing):
    response = api.post(URL, complaint_json(billing), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/Idempotency-Key"
    assert not Complaint.objects.exists()


def test_a_form_encoded_body_is_an_unsupported_media_type(api, billing):
    response = api.generic(
        "POST", URL, "description=hello", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert not Complaint.objects.exists()


def test_an_idempotency_key_is_forgotten_after_the_retry_window(api, billing, settings):
    import datetime as dt

    import time_machine

    from api import jobs

    settings.REDRESS_IDEMPOTENCY_KEY_DAYS = 7
    data = complaint_json(billing)
    api.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=6)):
        assert jobs.idempotency_keys_expire() == 0
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        assert jobs.idempotency_keys_expire() == 1
        again = api.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert ApiSubmission.objects.filter(idempotency_key="").count() == 1
    assert Complaint.objects.count() == 2


def test_it_records_a_complaint_in_a_fixed_number_of_queries(api, billing):
    with CaptureQueriesContext(connection) as plain:
        assert api.post(URL, complaint_json(billing), format="json").status_code == 201
    headers = {"Idempotency-Key": "order-1001-first"}
    with CaptureQueriesContext(connection) as keyed:
        response = api.post(URL, complaint_json(billing), format="json", headers=headers)
    assert response.status_code == 201
    assert len(plain) <= API_SUBMISSION_QUERIES
    assert len(keyed) <= API_SUBMISSION_QUERIES
