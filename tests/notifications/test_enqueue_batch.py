"""Many notifications written at once: each dedupe key once, all published after the commit."""

import pytest
import redis
from django.db import connection, transaction

from notifications.models import Notification
from notifications.services import notification_enqueue, notifications_enqueue
from tests.cases import submit_complaint
from tests.notifications.components import broker_at, queued_tasks

K = Notification.Kind
SEND = "notifications.tasks.notification_send"


def progress_update(complaint, key: str) -> Notification:
    return Notification(
        complaint=complaint,
        kind=K.PROGRESS_UPDATE,
        recipient=complaint.complainant_email,
        dedupe_key=f"{complaint.pk}:progress_update:{key}",
    )


@pytest.fixture
def broker(redis_url):
    """The Redis broker, empty: nothing queued by the test's own setup or an earlier test."""
    with broker_at(redis_url):
        redis.Redis.from_url(redis_url).flushdb()
        yield redis_url


@pytest.mark.django_db
def test_it_writes_only_the_keys_not_written_already(policy):
    complaint = submit_complaint()
    assert notification_enqueue(
        complaint=complaint,
        kind=K.PROGRESS_UPDATE,
        recipient="rosa@example.com",
        dedupe_key=f"{complaint.pk}:progress_update:monday",
        context={"day": "monday"},
    )

    written = notifications_enqueue(
        [
            progress_update(complaint, "monday"),
            progress_update(complaint, "tuesday"),
            progress_update(complaint, "wednesday"),
            progress_update(complaint, "tuesday"),
        ]
    )

    assert [n.dedupe_key.rsplit(":", 1)[1] for n in written] == ["tuesday", "wednesday"]
    assert Notification.objects.filter(kind=K.PROGRESS_UPDATE).count() == 3
    monday = Notification.objects.get(dedupe_key=f"{complaint.pk}:progress_update:monday")
    assert monday.context == {"day": "monday"}, "the first write of a key stands"
    assert not notifications_enqueue([progress_update(complaint, "tuesday")])


@pytest.mark.django_db
def test_it_reads_back_the_pks_where_the_database_returns_none_from_a_bulk_insert(
    policy, monkeypatch
):
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    complaint = submit_complaint()

    written = notifications_enqueue([progress_update(complaint, day) for day in ("mon", "tue")])

    for notification in written:
        assert Notification.objects.get(pk=notification.pk).dedupe_key == notification.dedupe_key


@pytest.mark.django_db(transaction=True)
def test_it_publishes_each_written_notification_once_and_only_after_the_commit(
    policy, broker, django_assert_num_queries
):
    complaint = submit_complaint()
    notifications_enqueue([progress_update(complaint, "monday")])
    redis.Redis.from_url(broker).flushdb()

    with transaction.atomic():
        # The keys already there, then one bulk INSERT between a savepoint and its release.
        with django_assert_num_queries(4):
            written = notifications_enqueue(
                [progress_update(complaint, day) for day in ("monday", "tuesday", "wednesday")]
            )
        assert queued_tasks(broker) == []

    assert len(written) == 2
    assert queued_tasks(broker) == [(SEND, [n.pk]) for n in written]


@pytest.mark.django_db(transaction=True)
def test_it_publishes_nothing_when_the_transaction_rolls_back(policy, broker):
    complaint = submit_complaint()
    redis.Redis.from_url(broker).flushdb()

    with pytest.raises(RuntimeError), transaction.atomic():
        notifications_enqueue([progress_update(complaint, day) for day in ("mon", "tue")])
        raise RuntimeError("the change that caused them failed")

    assert not Notification.objects.filter(kind=K.PROGRESS_UPDATE).exists()
    assert queued_tasks(broker) == []


@pytest.mark.django_db(transaction=True)
def test_it_publishes_none_of_the_rows_that_wait_for_a_later_moment(policy, broker):
    complaint = submit_complaint()
    redis.Redis.from_url(broker).flushdb()
    later = progress_update(complaint, "later")
    later.next_attempt_at = complaint.next_update_due

    written = notifications_enqueue([later, progress_update(complaint, "now")])

    assert len(written) == 2
    assert queued_tasks(broker) == [(SEND, [written[1].pk])]
