"""On PostgreSQL, concurrent tasks and sweeps each send a message once."""

import threading

import pytest
import time_machine
from django.db import connection, transaction

from complaints import jobs as lifecycle
from notifications import jobs
from notifications.models import Notification
from notifications.services import notification_deliver, notifications_enqueue
from tests.cases import submit_complaint

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work) -> list:
    """Run `work` in `count` threads at once, each on its own database connection."""
    barrier, results = threading.Barrier(count), []

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def pending_rows(count: int) -> list[int]:
    complaint = submit_complaint()
    return [
        Notification.objects.create(
            complaint=complaint,
            kind=Notification.Kind.TRACKING_LINK,
            recipient=f"reader{n}@example.com",
            dedupe_key=f"concurrency:{n}",
            next_attempt_at=complaint.received_at,
        ).pk
        for n in range(count)
    ]


def test_it_sends_once_when_the_same_task_is_delivered_twice_at_once(postgres, policy, smtp_server):
    [pk] = pending_rows(1)

    results = in_threads(2, lambda: notification_deliver(notification_id=pk))

    assert sorted(results) == [False, True]
    assert len(smtp_server.messages) == 1


def test_it_sends_each_message_once_when_two_sweeps_run_at_once(postgres, policy, smtp_server):
    pending_rows(30)

    results = in_threads(2, jobs.notifications_dispatch)

    assert sum(results) == 30
    recipients = sorted(message["To"] for message in smtp_server.messages)
    assert recipients == sorted(f"reader{n}@example.com" for n in range(30))


def test_it_writes_each_progress_update_once_when_two_jobs_run_at_once(postgres, policy):
    complaints = [submit_complaint(complainant_email=f"c{n}@example.com") for n in range(20)]
    due = max(complaint.next_update_due for complaint in complaints)
    with time_machine.travel(due, tick=False):
        results = in_threads(2, lifecycle.progress_updates_send)

    assert sum(results) == 20
    assert Notification.objects.filter(kind=Notification.Kind.PROGRESS_UPDATE).count() == 20


def test_it_skips_a_key_another_writer_commits_between_its_check_and_its_insert(postgres, policy):
    complaint = submit_complaint()

    def notification(key: str) -> Notification:
        return Notification(
            complaint=complaint,
            kind=Notification.Kind.TRACKING_LINK,
            recipient="rosa@example.com",
            dedupe_key=key,
        )

    raced = []

    def other_writer_first(execute, sql, params, many, context):
        # Just before our INSERT, another connection writes and commits one of its keys.
        if sql.startswith('INSERT INTO "notifications_notification"') and not raced:
            raced.extend(in_threads(1, lambda: notification("race:2").save()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_writer_first), transaction.atomic():
        written = notifications_enqueue([notification(f"race:{n}") for n in (1, 2, 3)])

    assert raced
    assert [n.dedupe_key for n in written] == ["race:1", "race:3"]
    assert Notification.objects.filter(dedupe_key__startswith="race:").count() == 3
