"""Finding 6: no cache keeps a tracking page, and no link leaves the site with its token."""

import pytest
from django.urls import reverse

from complaints.models import Attachment
from complaints.uploads import attachments_store, check_upload
from tests.publicsite import complaint_data, submit_web, upload

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_every_page_of_the_tracking_link_says_no_store(client, policy):
    complaint = submit_web()
    token = complaint.tracking_token
    (attachment,) = attachments_store(
        complaint=complaint,
        files=[check_upload(upload("a.txt", b"x\n"))],
        uploaded_by="complainant",
    )
    for url in (
        reverse("track-case", args=[token]),
        reverse("track-withdraw", args=[token]),
        reverse("track-file", args=[token, attachment.pk]),
    ):
        assert_not_stored(client.get(url))
    for name in ("track-reply", "track-accept", "track-escalate", "track-rate"):
        assert_not_stored(client.post(reverse(name, args=[token]), {}))
    assert_not_stored(client.post(reverse("track-withdraw", args=[token]), {}))
    assert Attachment.objects.count() == 1


def test_the_confirmation_page_with_the_reference_says_no_store(client, policy, settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    client.post(reverse("complaint-new"), complaint_data())
    assert_not_stored(client.get(reverse("complaint-submitted")))
