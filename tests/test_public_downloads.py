"""Files are served only through the token (the complainant) or the staff permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from complaints.models import Attachment
from complaints.uploads import attachments_store, check_upload
from tests.factories import HandlerFactory, UserFactory
from tests.publicsite import png_bytes, submit_web, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(policy):
    return submit_web()


def attach(complaint, *, internal=False) -> Attachment:
    (attachment,) = attachments_store(
        complaint=complaint,
        files=[check_upload(upload("receipt.txt", b"Paid twice.\n"))],
        uploaded_by="complainant",
    )
    if internal:
        attachment.is_internal = True
        attachment.save(update_fields=["is_internal"])
    return attachment


def test_it_serves_a_file_to_the_holder_of_the_token_as_a_download(client, complaint):
    attachment = attach(complaint)
    response = client.get(reverse("track-file", args=[complaint.tracking_token, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Paid twice.\n"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_hides_a_staff_only_file_from_the_complainant(client, complaint):
    attachment = attach(complaint, internal=True)
    url = reverse("track-file", args=[complaint.tracking_token, attachment.pk])
    assert client.get(url).status_code == 404
    assert "receipt.txt" not in client.get(complaint.get_absolute_url()).content.decode()


def test_it_refuses_a_file_of_another_case(client, complaint):
    other = submit_web(complainant_email="other@example.com")
    attachment = attach(other)
    url = reverse("track-file", args=[complaint.tracking_token, attachment.pk])
    assert client.get(url).status_code == 404


def staff_url(attachment: Attachment) -> str:
    """The console's download link, the one staff pages show."""
    return reverse("admin:complaints_complaint_file", args=[attachment.complaint_id, attachment.pk])


def test_it_serves_staff_the_files_of_cases_they_may_see(client, complaint):
    attachment = attach(complaint)
    handler = HandlerFactory()
    client.force_login(handler)
    assert client.get(staff_url(attachment)).status_code == 200
    complaint.handler = HandlerFactory()
    complaint.save(update_fields=["handler"])
    assert client.get(staff_url(attachment)).status_code == 404


def test_it_refuses_staff_without_the_permission(client, complaint):
    attachment = attach(complaint)
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    client.force_login(user)
    assert client.get(staff_url(attachment)).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client, complaint):
    attachment = attach(complaint)
    response = client.get(staff_url(attachment))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_serves_staff_and_complainant_the_same_download_with_the_sniffed_type(client, complaint):
    (attachment,) = attachments_store(
        complaint=complaint,
        files=[check_upload(upload("photo.png", png_bytes(), "application/x-evil"))],
        uploaded_by="complainant",
    )
    public = client.get(reverse("track-file", args=[complaint.tracking_token, attachment.pk]))
    client.force_login(HandlerFactory())
    staff = client.get(staff_url(attachment))
    for response in (public, staff):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_no_staff_download_route_lies_outside_the_console(client, complaint):
    attachment = attach(complaint)
    client.force_login(HandlerFactory())
    assert client.get(f"/staff/attachments/{attachment.pk}/").status_code == 404
