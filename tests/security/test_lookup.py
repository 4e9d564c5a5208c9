"""Finding 5: the lookup page is no oracle, cannot break a link, and staff can revoke one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import services, tasks
from notifications.models import Notification
from tests.console.pages import act_url
from tests.publicsite import submit_web

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(policy):
    return submit_web()


def lookup(client, django_capture_on_commit_callbacks, reference, email):
    """Post the lookup form; return the response, its queries and the tasks it queued."""
    queued = []
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse("track-lookup"), {"reference": reference, "email": email})
    for callback in callbacks:
        queued.append(callback)
    return response, len(queries), len(queued)


def test_it_does_the_same_work_whether_or_not_the_details_match(
    client, complaint, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(
        tasks.send_tracking_link, "apply_async", lambda args, **kw: published.append(args)
    )
    matching = lookup(
        client, django_capture_on_commit_callbacks, complaint.reference, "ROSA@example.com"
    )
    other = lookup(
        client, django_capture_on_commit_callbacks, complaint.reference, "mallory@example.com"
    )
    assert matching[0].status_code == other[0].status_code == 200
    assert matching[1:] == other[1:] == (0, 1)  # no query, one task queued, either way
    assert published == [
        (complaint.reference, "ROSA@example.com"),
        (complaint.reference, "mallory@example.com"),
    ]
    assert not Notification.objects.filter(kind=Notification.Kind.TRACKING_LINK).exists()


def test_the_task_sends_the_current_link_and_keeps_it_valid(client, complaint):
    token = complaint.tracking_token
    assert tasks.send_tracking_link(complaint.reference, "ROSA@example.com")
    assert not tasks.send_tracking_link(complaint.reference, "mallory@example.com")
    complaint.refresh_from_db()
    assert complaint.tracking_token == token
    assert client.get(complaint.tracking_path()).status_code == 200
    (sent,) = Notification.objects.filter(kind=Notification.Kind.TRACKING_LINK)
    assert sent.complaint == complaint


def test_asking_again_and_again_sends_one_link_per_window(complaint):
    for _ in range(5):
        tasks.send_tracking_link(complaint.reference, "rosa@example.com")
    assert Notification.objects.filter(kind=Notification.Kind.TRACKING_LINK).count() == 1


def test_staff_revoke_the_tracking_link_from_the_case(client, cases, hana):
    case = cases["own"]
    old = case.tracking_token
    client.force_login(hana)
    response = client.post(act_url(case, "revoke_tracking_link"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.tracking_token != old
    assert (
        client.get(reverse("track-case", args=[old])).status_code == 410
    )  # gone: the page says how to ask for a new link
    assert services.complaint_send_tracking_link(
        reference=case.reference, email=case.complainant_email
    )
    page = client.get(f"/admin/complaints/complaint/{case.pk}/change/").content.decode()
    assert "Revoke the tracking link" in page
