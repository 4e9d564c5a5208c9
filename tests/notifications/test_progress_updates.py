"""Progress updates under Policy E: every 5 days since the last message, while the case is open."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import jobs, services
from complaints.actors import Actor
from complaints.choices import TargetKind
from complaints.clock import Unit
from complaints.presets import preset_by_slug, preset_load
from notifications.models import Notification
from tests.cases import deliver_pending, submit_complaint
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=LONDON)


def test_it_sends_updates_on_exactly_the_right_days_and_a_message_moves_the_next_one():
    policy, _written = preset_load(preset_by_slug("e"))
    handler = Actor.staff(HandlerFactory(username="hana"))
    sent_at = []
    with time_machine.travel(at(2, 10), tick=False) as traveller:
        complaint = services.complaint_acknowledge(complaint=submit_complaint(policy=policy))
        deliver_pending()
        complaint = services.complaint_start_investigation(complaint=complaint, actor=handler)
        # Twenty business days (Mon 2 to Fri 27 March) and the weekend after, hour by hour.
        moment = at(2, 10)
        while moment < at(30, 18):
            moment += dt.timedelta(hours=1)
            traveller.move_to(moment)
            if moment == at(10, 15):
                services.complaint_send_message(
                    complaint=complaint, actor=handler, body="We have asked the bank."
                )
            if jobs.progress_updates_send():
                sent_at.append(moment)
            deliver_pending()

    # Each update goes out two hours before the five days since the last message run out; the
    # next counts from that limit, so they stay five days apart at the same hour. The handler's
    # message on the 10th restarts the clock from when it went out.
    assert sent_at == [at(7, 8), at(15, 13), at(20, 13), at(25, 13), at(30, 13)]
    keys = Notification.objects.filter(kind=Notification.Kind.PROGRESS_UPDATE).values_list(
        "dedupe_key", flat=True
    )
    assert len(set(keys)) == 5


def test_updates_in_business_days_stay_that_many_business_days_apart_cycle_after_cycle(policy):
    """Every 2 business days, Monday to Friday: never a day's drift, whenever they go out."""
    policy.targets.filter(kind=TargetKind.UPDATE_INTERVAL).delete()
    policy.targets.create(kind=TargetKind.UPDATE_INTERVAL, amount=2, unit=Unit.BUSINESS_DAYS)
    policy.refresh_from_db()
    calendar = policy.calendar()
    sent = []
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        complaint = services.complaint_acknowledge(complaint=submit_complaint(policy=policy))
        deliver_pending()
        moment = start
        while moment < start + dt.timedelta(days=42):
            moment += dt.timedelta(minutes=30)
            traveller.move_to(moment)
            jobs.progress_updates_send()
            deliver_pending()
        sent = list(
            Notification.objects.filter(
                complaint=complaint,
                kind__in=[Notification.Kind.ACKNOWLEDGEMENT, Notification.Kind.PROGRESS_UPDATE],
            )
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        )
    assert len(sent) >= 14
    for earlier, later in zip(sent, sent[1:], strict=False):
        assert calendar.business_days_between(earlier, later) <= 2, (earlier, later)
    assert all(moment.time() <= calendar.close_of_business for moment in sent[1:])


def test_it_writes_nothing_when_the_job_runs_twice_at_the_same_moment(policy):
    complaint = submit_complaint()
    with time_machine.travel(complaint.next_update_due, tick=False):
        assert jobs.progress_updates_send() == 1
        deliver_pending()
        assert jobs.progress_updates_send() == 0
    assert Notification.objects.filter(kind=Notification.Kind.PROGRESS_UPDATE).count() == 1


def test_its_queries_do_not_grow_with_the_cases_due(policy, django_capture_on_commit_callbacks):
    def job_queries(cases: int) -> int:
        complaints = [submit_complaint(complainant_email=f"c{n}@example.com") for n in range(cases)]
        with (
            time_machine.travel(max(c.next_update_due for c in complaints), tick=False),
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            assert jobs.progress_updates_send() == cases
        assert len(callbacks) == 1, "one publish pass for the whole batch"
        return len(queries)

    assert job_queries(5) == job_queries(50)
