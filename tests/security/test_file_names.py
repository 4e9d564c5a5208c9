"""Finding 3: a file is stored and served under an extension of what it is, always as a download."""

import pytest
from django.urls import reverse

from complaints.models import Attachment
from complaints.uploads import attachments_store, check_upload
from inbound.services import inbound_email_process
from tests.inbound.emails import email
from tests.publicsite import complaint_data, submit_web, upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TEXT = b"<script>alert(1)</script> I was charged twice.\n"
DANGEROUS = [
    ("invoice.hta", TEXT, "invoice.txt", "text/plain"),
    ("run.bat", TEXT, "run.txt", "text/plain"),
    ("page.html", TEXT, "page.txt", "text/plain"),
    ("image.svg", TEXT, "image.txt", "text/plain"),
    ("setup.exe", PDF, "setup.pdf", "application/pdf"),
    ("statement.pdf.exe", PDF, "statement.pdf.pdf", "application/pdf"),
    ("no-extension", PDF, "no-extension.pdf", "application/pdf"),
]


def download(client, complaint, attachment):
    return client.get(reverse("track-file", args=[complaint.tracking_token, attachment.pk]))


@pytest.mark.parametrize(("name", "content", "kept", "content_type"), DANGEROUS)
def test_it_names_an_uploaded_file_after_what_it_is(
    client, policy, settings, name, content, kept, content_type
):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    response = client.post(reverse("complaint-new"), complaint_data(files=[upload(name, content)]))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (kept, content_type)
    served = download(client, attachment.complaint, attachment)
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"] == f'attachment; filename="{kept}"'


@pytest.mark.parametrize(("name", "content", "kept", "content_type"), DANGEROUS[:5])
def test_it_names_an_emailed_file_after_what_it_is(policy, name, content, kept, content_type):
    inbound_email_process(
        raw=email(attachments=[(name, content, "application/octet-stream")]), source="test"
    )
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (kept, content_type)


def test_it_serves_a_file_stored_under_a_dangerous_name_before_as_what_it_is(client, policy):
    complaint = submit_web()
    (attachment,) = attachments_store(
        complaint=complaint, files=[check_upload(upload("x.txt", TEXT))], uploaded_by="complainant"
    )
    Attachment.objects.filter(pk=attachment.pk).update(original_name="x.html")
    served = download(client, complaint, attachment)
    assert served["Content-Disposition"] == 'attachment; filename="x.txt"'
    assert served["Content-Type"] == "text/plain"


def test_staff_download_a_file_as_its_sniffed_type_too(client, cases, hana):
    case = cases["own"]
    (attachment,) = attachments_store(
        complaint=case, files=[check_upload(upload("scan.hta", PDF))], uploaded_by="complainant"
    )
    client.force_login(hana)
    served = client.get(reverse("admin:complaints_complaint_file", args=[case.pk, attachment.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == 'attachment; filename="scan.pdf"'
