"""A subject-access export: every case under one email, as a zip of JSON and files."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from complaints.actors import SYSTEM
from complaints.exceptions import ComplaintError
from complaints.models import ComplaintEvent, Message
from reports.subject_access import subject_access_export
from tests.factories import ComplaintFactory, HandlerFactory, SupervisorFactory
from tests.reports_cases import attach_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosas_cases(policy):
    first = ComplaintFactory(complainant_email="rosa@example.com", description="Charged twice.")
    second = ComplaintFactory(complainant_email="Rosa@Example.com", description="Late parcel.")
    ComplaintFactory(complainant_email="other@example.com", description="Not Rosa's.")
    Message.objects.create(complaint=first, direction="inbound", body="Here is the receipt.")
    attach_receipt(first)
    return first, second


def read(archive: bytes):
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        return json.loads(zipped.read("data.json")), zipped.namelist(), zipped


def test_it_exports_every_case_under_the_email_with_its_files(rosas_cases):
    first, second = rosas_cases
    archive, count = subject_access_export(email=" ROSA@example.com", actor=SYSTEM)
    data, names, _zip = read(archive)
    assert count == 2
    assert [case["description"] for case in data["complaints"]] == [
        "Charged twice.",
        "Late parcel.",
    ]
    assert data["complaints"][0]["messages"][0]["body"] == "Here is the receipt."
    path = data["complaints"][0]["files"][0]["path"]
    assert path in names
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.read(path) == b"%PDF receipt"


def test_it_records_the_export_on_each_case_not_publicly(rosas_cases):
    subject_access_export(email="rosa@example.com", actor=SYSTEM)
    events = ComplaintEvent.objects.filter(action="subject_access_export")
    assert {event.complaint for event in events} == set(rosas_cases)
    assert not events.filter(is_public=True).exists()


@pytest.mark.parametrize(
    "email, message", [("nobody@example.com", "No complaint is recorded"), ("rosa", "is not an")]
)
def test_it_refuses_an_unknown_or_malformed_email(policy, email, message):
    with pytest.raises(ComplaintError, match=message):
        subject_access_export(email=email, actor=SYSTEM)


def test_the_command_writes_the_zip(rosas_cases, tmp_path):
    target = tmp_path / "rosa.zip"
    call_command("subject_access_export", "--email", "rosa@example.com", "--output", str(target))
    assert len(read(target.read_bytes())[0]["complaints"]) == 2
    with pytest.raises(CommandError, match="No complaint is recorded"):
        call_command("subject_access_export", "--email", "x@example.com", "--output", str(target))


def test_a_supervisor_downloads_it_from_the_admin_and_a_handler_cannot(client, rosas_cases):
    url = reverse("admin:reports_subject_access")
    client.force_login(HandlerFactory(username="hana"))
    assert client.post(url, {"email": "rosa@example.com"}).status_code == 403
    sam = SupervisorFactory(username="sam")
    client.force_login(sam)
    response = client.post(url, {"email": "rosa@example.com"})
    assert response["Content-Type"] == "application/zip"
    assert len(read(response.content)[0]["complaints"]) == 2
    assert ComplaintEvent.objects.filter(action="subject_access_export", actor=sam).count() == 2


def test_it_includes_the_emails_the_complainant_sent(rosas_cases):
    from inbound.models import InboundEmail

    first, _second = rosas_cases
    raw = b"From: Rosa <rosa@example.com>\r\nSubject: My complaint\r\n\r\nCharged twice."
    InboundEmail.objects.create(
        source="imap",
        dedupe_key="<1@example.com>",
        raw=raw,
        status=InboundEmail.Status.COMPLAINT,
        from_address="rosa@example.com",
        subject="My complaint",
        complaint=first,
    )
    archive, _count = subject_access_export(email="rosa@example.com", actor=SYSTEM)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        data = json.loads(zipped.read("data.json"))
        [record] = [case for case in data["complaints"] if case["emails_received"]]
        [email] = record["emails_received"]
        assert email["subject"] == "My complaint"
        assert zipped.read(email["path"]) == raw
