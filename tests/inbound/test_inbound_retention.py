"""Inbound mail that belongs to no case is blanked after its own period."""

import datetime as dt

import pytest
import time_machine

from complaints import clock
from complaints.retention import complaint_anonymise
from config.celery import app
from inbound import tasks
from inbound.models import InboundEmail
from inbound.retention import inbound_emails_purge_unlinked
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_the_purge_runs_from_the_beat_schedule():
    entry = app.conf.beat_schedule["inbound-purge-unlinked"]
    assert entry["task"] == tasks.purge_unlinked_inbound_mail.name


def test_it_blanks_inbound_mail_that_belongs_to_no_case_after_its_own_period(settings):
    settings.REDRESS_INBOUND_UNLINKED_RETENTION_DAYS = 30
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

    def mail(key, status, days_old):
        row = InboundEmail.objects.create(
            source="imap",
            dedupe_key=key,
            raw=b"From: someone@example.com\r\n\r\nI am away.",
            status=status,
            from_address="someone@example.com",
            subject="Out of office",
        )
        InboundEmail.objects.filter(pk=row.pk).update(received_at=now - dt.timedelta(days=days_old))
        return row

    old = mail("old", InboundEmail.Status.AUTO_REPLY, 31)
    young = mail("young", InboundEmail.Status.AUTO_REPLY, 29)
    held = mail("held", InboundEmail.Status.HELD, 31)

    with time_machine.travel(now, tick=False):
        assert inbound_emails_purge_unlinked() == 1
        assert tasks.purge_unlinked_inbound_mail.apply().get() == 0
    old.refresh_from_db()
    assert bytes(old.raw) == b"" and old.from_address == "" and old.subject == ""
    for kept in (young, held):
        kept.refresh_from_db()
        assert kept.from_address == "someone@example.com"


def test_it_blanks_a_cases_emails_when_the_case_is_anonymised(policy):
    case = ComplaintFactory(policy=policy)
    row = InboundEmail.objects.create(
        source="imap",
        dedupe_key="<rosa@example.com>",
        raw=b"From: rosa@example.com\r\n\r\nMy complaint.",
        status=InboundEmail.Status.COMPLAINT,
        from_address="rosa@example.com",
        subject="My complaint",
        complaint=case,
    )

    assert complaint_anonymise(complaint_id=case.pk, now=clock.now())

    row.refresh_from_db()
    assert (bytes(row.raw), row.from_address, row.subject) == (b"", "", "")
