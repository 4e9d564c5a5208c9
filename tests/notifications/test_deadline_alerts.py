"""Deadline alerts: the handler before a deadline, handler and supervisors after, each once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_its_queries_do_not_grow_with_the_deadlines_breached(policy):
    handler = HandlerFactory(username="hana")
    SupervisorFactory(username="sam")

    def alert_queries(cases: int) -> int:
        breached = [submit_complaint() for _ in range(cases)]
        Complaint.objects.filter(pk__in=[case.pk for case in breached]).update(handler=handler)
        after = max(case.next_deadline for case in breached) + dt.timedelta(minutes=1)
        with time_machine.travel(after, tick=False), CaptureQueriesContext(connection) as queries:
            assert jobs.deadline_alerts_send() == 2 * cases
        return len(queries)

    assert alert_queries(2) == alert_queries(10)
