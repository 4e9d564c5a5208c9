"""Deadline alerts: the handler before a deadline, handler and supervisors after, each once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from complaints.models import Complaint
from notifications import jobs
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.cases import submit_complaint
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind


def test_it_alerts_the_handler_once_before_a_deadline_and_supervisors_once_after(policy):
    handler = HandlerFactory(username="hana")
    supervisor = SupervisorFactory(username="sam")
    case = submit_complaint()
    Notification.objects.all().delete()
    Complaint.objects.filter(pk=case.pk).update(handler=handler)
    case.refresh_from_db()
    with time_machine.travel(case.due_soon_at, tick=False):
        assert jobs.deadline_alerts_send() == 1
        assert jobs.deadline_alerts_send() == 0
    with time_machine.travel(case.next_deadline + dt.timedelta(minutes=1), tick=False):
        assert jobs.deadline_alerts_send() == 2
        assert jobs.deadline_alerts_send() == 0

    rows = Notification.objects.values_list("kind", "recipient")
    assert sorted(rows) == sorted(
        [
            (K.STAFF_DUE_SOON, handler.email),
            (K.STAFF_BREACHED, handler.email),
            (K.STAFF_BREACHED, supervisor.email),
        ]
    )
    for notification in Notification.objects.all():
        assert notification_deliver(notification_id=notification.pk)
    assert any("passed on" in m.body for m in mail.outbox)
