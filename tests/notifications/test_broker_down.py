"""A broker that is down at submission delays the acknowledgement and loses nothing."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from complaints.choices import State
from notifications import jobs
from notifications.models import Notification
from notifications.services import complaint_submitted
from tests.notifications.components import broker_at, free_port, submit_complaint

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_it_saves_the_complaint_and_acknowledges_it_once_when_the_broker_was_down(
    policy, smtp_server, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as traveller:
        with broker_at(f"redis://127.0.0.1:{free_port()}/1"):
            with django_capture_on_commit_callbacks(execute=True):
                with transaction.atomic():
                    complaint = submit_complaint()
                    complaint_submitted(complaint=complaint)

            complaint.refresh_from_db()
            assert complaint.state == State.RECEIVED
            assert not Notification.objects.exists()

            traveller.shift(dt.timedelta(minutes=2))
            with django_capture_on_commit_callbacks(execute=True):
                assert jobs.complaints_acknowledge_received() == 1
            assert jobs.complaints_acknowledge_received() == 0

        traveller.shift(dt.timedelta(minutes=2))
        assert jobs.notifications_dispatch() == 1
        assert jobs.notifications_dispatch() == 0

    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED
    [email] = smtp_server.messages
    assert complaint.display_reference in email["Subject"]
    assert Notification.objects.get().status == Notification.Status.SENT
