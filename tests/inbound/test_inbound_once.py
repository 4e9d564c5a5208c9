"""Every inbound email is kept and processed once, whatever happens to the poll."""

import pytest

from complaints.models import Complaint
from config.celery import app
from inbound import tasks
from inbound.imap import inbound_poll
from inbound.models import InboundEmail
from inbound.services import (
    inbound_email_handle,
    inbound_email_process,
    inbound_email_store,
    inbound_emails_store,
)
from tests.inbound.emails import email

pytestmark = pytest.mark.django_db


def test_it_processes_each_message_once_when_the_poll_runs_twice(policy, imap_mailbox):
    first, second = email(), email(sender="Ben <ben@example.org>")
    imap_mailbox.deliver(first, second, first)  # the same message twice, as a resend may

    assert inbound_poll() == 3
    assert inbound_poll() == 0

    assert Complaint.objects.count() == 2
    assert InboundEmail.objects.count() == 2


@pytest.mark.parametrize("shares", [2, 3])
def test_it_processes_each_message_once_when_pollers_share_the_mailbox(
    policy, imap_mailbox, shares
):
    imap_mailbox.deliver(*(email(sender=f"C{n} <c{n}@example.org>") for n in range(7)))

    polled = [inbound_poll(share=share, shares=shares) for share in range(shares)]

    assert sum(polled) == 7
    assert all(polled)  # each poller had a share of its own
    assert imap_mailbox.unseen() == 0
    assert Complaint.objects.count() == 7
    assert inbound_poll() == 0


def test_it_skips_messages_it_knows_by_uid_when_they_were_not_marked_seen(policy, imap_mailbox):
    imap_mailbox.deliver(email())
    inbound_poll()
    with imap_mailbox.mailbox() as box:  # the poll died before marking it seen
        box.flag(box.uids(), "\\Seen", False)

    assert inbound_poll() == 1

    assert Complaint.objects.count() == 1
    assert imap_mailbox.unseen() == 0


def test_it_finishes_a_message_stored_before_a_crash(policy):
    raw = email()
    stored = inbound_email_store(raw=raw, source="imap:test", uid="1:1")  # then the worker died

    row = inbound_email_process(raw=raw, source="imap:test", uid="1:1")

    assert row.pk == stored.pk and row.status == InboundEmail.Status.COMPLAINT
    assert Complaint.objects.count() == 1


def test_it_undoes_its_work_when_another_process_finished_the_message_first(policy):
    raw = email()
    row = inbound_email_store(raw=raw, source="imap:test", uid="1:1")
    # A second poller, or a retried webhook, finished it after this one had read the row.
    InboundEmail.objects.filter(pk=row.pk).update(status=InboundEmail.Status.AUTO_REPLY)

    handled = inbound_email_handle(inbound=row)

    assert handled.status == InboundEmail.Status.AUTO_REPLY
    assert not Complaint.objects.exists()


def test_it_stores_a_fetched_chunk_once_each_by_message_id_and_uid(policy):
    known = email()
    inbound_email_store(raw=known, source="imap:test", uid="1:1")
    again, other = email(), email(sender="Ben <ben@example.org>")

    rows = inbound_emails_store(
        emails=[("1:1", known), ("1:2", again), ("1:3", other), ("1:4", again)],
        source="imap:test",
    )

    assert InboundEmail.objects.count() == 3
    assert rows[0].uid == "1:1" and rows[1] is rows[3]
    assert [inbound_email_handle(inbound=row).status for row in rows] == [
        InboundEmail.Status.COMPLAINT
    ] * 4
    assert Complaint.objects.count() == 3


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\xff\xfe not an email at all \x00",
        b"Subject: no sender\r\n\r\nWho sent this?\r\n",
        b"From: \r\nSubject: =?utf-8?q?broken\r\nContent-Type: multipart/mixed\r\n\r\n--",
    ],
)
def test_it_keeps_a_message_it_cannot_read_for_a_handler(policy, raw):
    row = inbound_email_process(raw=raw, source="imap:test", uid="1:7")

    assert row.status == InboundEmail.Status.UNPARSEABLE and row.note
    assert bytes(row.raw) == raw
    assert not Complaint.objects.exists()


def test_it_keeps_an_unreadable_message_from_the_mailbox(policy, imap_mailbox):
    imap_mailbox.deliver(b"X-Garbage: yes\r\n\r\n\x00\x01")

    assert inbound_poll() == 1

    assert InboundEmail.objects.get().status == InboundEmail.Status.UNPARSEABLE
    assert imap_mailbox.unseen() == 0


def test_it_polls_one_batch_of_the_mailbox_from_the_beat_schedule(policy, imap_mailbox):
    imap_mailbox.deliver(email(), email(sender="Ben <ben@example.org>"), email())
    entry = app.conf.beat_schedule["inbound-poll-mail"]
    assert entry["task"] == tasks.poll_inbound_mail.name

    assert inbound_poll(batch=2) == 2
    assert tasks.poll_inbound_mail.apply().get() == 1
    assert imap_mailbox.unseen() == 0


def test_it_queues_a_poll_for_every_other_share_of_the_mailbox(policy, imap_mailbox, settings):
    settings.REDRESS_INBOUND_POLLERS = 2
    imap_mailbox.deliver(*(email(sender=f"C{n} <c{n}@example.org>") for n in range(4)))

    app.conf.update(task_always_eager=True)  # the other share's task runs here
    try:
        own = tasks.poll_inbound_mail.apply().get()
    finally:
        app.conf.update(task_always_eager=False)

    assert own == 2
    assert imap_mailbox.unseen() == 0
    assert Complaint.objects.count() == 4
