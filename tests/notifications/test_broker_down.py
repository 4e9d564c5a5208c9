"""A broker that is down at submission delays the acknowledgement and loses nothing."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from complaints import jobs as lifecycle
from complaints.choices import State
from complaints.models import Complaint
from notifications import jobs
from notifications.models import Notification
from tests.cases import submit_complaint
from tests.factories import CategoryFactory
from tests.notifications.components import broker_at, free_port
from tests.publicsite import complaint_data

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_fill_delay(settings):
    # Autouse, so it wraps the SMTP fixture's own override_settings rather than interleaving.
    settings.REDRESS_FORM_MIN_SECONDS = 0


def test_a_web_submission_succeeds_while_the_broker_is_down_and_is_acknowledged_once_later(
    client, policy, smtp_server, django_capture_on_commit_callbacks
):
    category = CategoryFactory(name="Billing")
    with time_machine.travel(START, tick=False) as traveller:
        with broker_at(f"redis://127.0.0.1:{free_port()}/1"):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                response = client.post(
                    reverse("complaint-new"), complaint_data(category=category.pk)
                )
            assert response.status_code == 302
            assert callbacks, "the submission queues its acknowledgement on commit"

            complaint = Complaint.objects.get()
            assert complaint.state == State.RECEIVED
            assert not Notification.objects.exists()

            traveller.shift(dt.timedelta(minutes=2))
            with django_capture_on_commit_callbacks(execute=True):
                assert lifecycle.complaints_acknowledge_received() == 1
            assert lifecycle.complaints_acknowledge_received() == 0

        traveller.shift(dt.timedelta(minutes=2))
        assert jobs.notifications_dispatch() == 1
        assert jobs.notifications_dispatch() == 0

    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED
    [email] = smtp_server.messages
    assert complaint.display_reference in email["Subject"]
    assert Notification.objects.get().status == Notification.Status.SENT


def test_progress_updates_are_written_while_the_broker_is_down_and_the_sweep_sends_them(
    policy, django_capture_on_commit_callbacks, caplog
):
    complaints = [submit_complaint(complainant_email=f"c{n}@example.com") for n in range(3)]
    with time_machine.travel(max(c.next_update_due for c in complaints), tick=False) as traveller:
        with (
            broker_at(f"redis://127.0.0.1:{free_port()}/1"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert lifecycle.progress_updates_send() == 3

        [warning] = [r for r in caplog.records if r.message.startswith("Could not queue")]
        assert "nor the 2 after it" in warning.message, "one attempt for the batch, not one each"
        updates = Notification.objects.filter(kind=Notification.Kind.PROGRESS_UPDATE)
        assert set(updates.values_list("status", flat=True)) == {Notification.Status.PENDING}

        traveller.shift(dt.timedelta(minutes=2))
        jobs.notifications_dispatch()

    assert set(updates.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert sorted(email.to[0] for email in mail.outbox) == [f"c{n}@example.com" for n in range(3)]
