"""The access log: each opening of a case, a file or an export is a row (who, what, when);
supervisors read it per case and per person; it goes with the case's records and is part of the
subject-access export."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import clock
from complaints.actors import Actor
from complaints.attachments import attachment_store
from complaints.models import CaseAccess
from complaints.retention import complaint_anonymise
from tests.console.pages import change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(cases, hana):
    return attachment_store(
        complaint=cases["own"],
        actor=Actor.staff(hana),
        upload=SimpleUploadedFile("receipt.txt", b"Paid twice.\n"),
    )


def test_it_logs_who_opened_the_case_its_files_preview_and_history(client, cases, hana, receipt):
    case = cases["own"]
    client.force_login(hana)
    client.get(change_url(case))
    client.get(reverse("admin:complaints_complaint_file", args=[case.pk, receipt.pk]))
    client.get(reverse("admin:complaints_complaint_file", args=[case.pk, receipt.pk]))
    client.get(reverse("staff-preview", args=[case.pk]))
    client.get(reverse("admin:complaints_complaint_history", args=[case.pk]))
    rows = list(CaseAccess.objects.order_by("at", "pk").values_list("username", "kind", "detail"))
    assert rows == [
        ("hana", "case", ""),
        ("hana", "file", "receipt.txt"),
        ("hana", "file", "receipt.txt"),
        ("hana", "preview", ""),
        ("hana", "history", ""),
    ]
    assert set(CaseAccess.objects.values_list("complaint", flat=True)) == {case.pk}
    assert CaseAccess.objects.first().address == "127.0.0.1"


def test_a_refused_opening_is_not_logged_as_one(client, cases, hana):
    client.force_login(hana)
    assert client.get(change_url(cases["other"])).status_code == 404
    assert not CaseAccess.objects.exists()


def test_supervisors_read_the_log_per_case_and_per_person(client, cases, hana, hugo, sam):
    for person, case in ((hana, cases["own"]), (hugo, cases["other"])):
        client.force_login(person)
        client.get(change_url(case))
    client.force_login(sam)
    log = reverse("admin:complaints_caseaccess_changelist")

    def listed(**query):
        return {
            (row.username, row.complaint_id)
            for row in client.get(log, query).context["cl"].result_list
        }

    assert listed(complaint__id__exact=cases["own"].pk) == {("hana", cases["own"].pk)}
    assert listed(person=hugo.pk) == {("hugo", cases["other"].pk)}
    case_page = client.get(change_url(cases["own"])).content.decode()
    assert f"{log}?complaint__id__exact={cases['own'].pk}" in case_page


def test_handlers_cannot_read_the_log(client, cases, hana):
    client.force_login(hana)
    assert client.get(reverse("admin:complaints_caseaccess_changelist")).status_code == 403
    assert (
        "complaints_caseaccess_changelist"
        not in client.get(change_url(cases["own"])).content.decode()
    )


def test_exports_are_logged_and_the_log_is_in_the_subject_access_export(client, cases, hana, sam):
    client.force_login(hana)
    client.get(change_url(cases["own"]))
    client.force_login(sam)
    response = client.post(
        reverse("admin:reports_subject_access"), {"email": cases["own"].complainant_email}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (record,) = json.loads(archive.read("data.json"))["complaints"]
    assert [(row["by"], row["what"]) for row in record["access_log"]] == [
        ("hana", "Opened the case")
    ]
    exported = CaseAccess.objects.get(kind=CaseAccess.Kind.EXPORT)
    assert (exported.username, exported.complaint) == ("sam", cases["own"])
    client.get(reverse("admin:reports_complaints_return"), {"period": "2026H1", "format": "csv"})
    assert CaseAccess.objects.filter(kind="export", complaint=None, username="sam").exists()


def test_the_log_goes_with_the_cases_records_at_retention(client, cases, hana):
    client.force_login(hana)
    client.get(change_url(cases["own"]))
    complaint_anonymise(complaint_id=cases["own"].pk, now=clock.now())
    assert not CaseAccess.objects.filter(complaint=cases["own"]).exists()
