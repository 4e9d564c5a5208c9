"""Promise alerts: whoever owes a promise hears before it is due, and with supervisors after;
each promise on its own, each alert once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import jobs, services
from complaints.actors import Actor
from complaints.choices import CASEWORK_PROMISES, PromiseKind
from complaints.models import Complaint, Promise
from escalations.services import escalation_assign_reviewer, escalation_request
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.cases import case_in, submit_complaint
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind


def alerts(kind: str, promise: Promise) -> list[str]:
    return sorted(
        Notification.objects.filter(
            kind=kind, dedupe_key__contains=f":promise-{promise.pk}-"
        ).values_list("recipient", flat=True)
    )


def test_every_promise_gets_its_own_due_soon_and_breach_alert_once_even_behind_an_overdue_one(
    policy,
):
    handler = HandlerFactory(username="hana")
    supervisor = SupervisorFactory(username="sam")
    case = submit_complaint()
    Complaint.objects.filter(pk=case.pk).update(handler=handler)
    promises = list(case.promises.filter(kind__in=CASEWORK_PROMISES))
    assert len(promises) >= 2
    last = max(promise.limit for promise in promises)
    moment = case.received_at
    # Nothing is ever sent: the first promise is overdue long before the last is due.
    while moment < last + dt.timedelta(days=1):
        moment += dt.timedelta(hours=1)
        with time_machine.travel(moment, tick=False):
            jobs.promise_alerts_send()
            jobs.promise_alerts_send()

    for promise in promises:
        assert alerts(K.STAFF_DUE_SOON, promise) == [handler.email], promise
        assert alerts(K.STAFF_BREACHED, promise) == sorted([handler.email, supervisor.email])
    for notification in Notification.objects.filter(kind=K.STAFF_BREACHED):
        assert notification_deliver(notification_id=notification.pk)
    assert any("passed on" in m.body for m in mail.outbox)


def test_a_kept_promise_gets_no_alert(policy):
    handler = HandlerFactory(username="hana")
    case = case_in("acknowledged", handler=handler)
    from tests.cases import deliver_pending

    deliver_pending()
    acknowledgement = case.promises.get(kind=PromiseKind.ACKNOWLEDGEMENT)
    assert acknowledgement.kept_at is not None
    with time_machine.travel(acknowledgement.limit + dt.timedelta(hours=1), tick=False):
        jobs.promise_alerts_send()
    assert alerts(K.STAFF_BREACHED, acknowledgement) == []
    assert alerts(K.STAFF_DUE_SOON, acknowledgement) == []


def test_the_reviews_alerts_go_to_the_reviewer_and_supervisors_not_the_handler(policy):
    handler = HandlerFactory(username="hana")
    reviewer = SupervisorFactory(username="rita")
    other = SupervisorFactory(username="sam")
    case = case_in("responded", handler=handler)
    escalation = escalation_request(
        complaint=case, actor=Actor.staff(handler), grounds="Senior view needed."
    )
    escalation_assign_reviewer(escalation=escalation, actor=Actor.staff(other), reviewer=reviewer)
    review = case.promises.get(kind=PromiseKind.REVIEW)
    with time_machine.travel(review.due_soon_at, tick=False):
        jobs.promise_alerts_send()
    with time_machine.travel(review.limit + dt.timedelta(minutes=1), tick=False):
        jobs.promise_alerts_send()
    expected = sorted([reviewer.email, other.email])
    assert alerts(K.STAFF_DUE_SOON, review) == expected
    assert alerts(K.STAFF_BREACHED, review) == expected


def test_its_queries_do_not_grow_with_the_promises_breached(policy):
    handler = HandlerFactory(username="hana")
    SupervisorFactory(username="sam")

    def alert_queries(cases: int) -> int:
        Promise.objects.update(breach_alerted_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        breached = [submit_complaint() for _ in range(cases)]
        Complaint.objects.filter(pk__in=[case.pk for case in breached]).update(handler=handler)
        after = max(case.promises.order_by("-limit")[0].limit for case in breached)
        with (
            time_machine.travel(after + dt.timedelta(minutes=1), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert jobs.promise_alerts_send() == cases * breached[0].promises.count()
        return len(queries)

    # Few enough rows for one INSERT on SQLite too, which splits a bulk INSERT by its variables.
    assert alert_queries(2) == alert_queries(5)


def test_an_extended_deadline_gets_alerts_of_its_own(policy):
    handler = HandlerFactory(username="hana")
    case = case_in("investigating", handler=handler)
    full = case.promises.get(kind=PromiseKind.FULL_RESPONSE)
    with time_machine.travel(full.limit + dt.timedelta(minutes=1), tick=False):
        jobs.promise_alerts_send()
        services.complaint_extend_deadline(
            complaint=case,
            actor=Actor.staff(handler),
            resolve_by=full.limit + dt.timedelta(days=7),
            reason="Waiting for the bank.",
        )
    full.refresh_from_db()
    with time_machine.travel(full.limit + dt.timedelta(minutes=1), tick=False):
        jobs.promise_alerts_send()
    assert alerts(K.STAFF_BREACHED, full) == [handler.email, handler.email]
