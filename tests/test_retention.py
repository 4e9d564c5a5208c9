"""Retention: personal data of closed cases past the policy's period goes, figures stay."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from complaints.choices import ActorKind, TargetKind
from complaints.clock import Unit
from complaints.models import Complaint, Message
from escalations.models import Escalation
from reports.retention import (
    COMPLAINT_PERSONAL_FIELDS,
    complaints_anonymise_due,
    inbound_emails_purge_unlinked,
)
from reports.tasks import anonymise_due_complaints
from tests.factories import DEFAULT_TARGETS, ComplaintFactory, PolicyFactory
from tests.reports_cases import RECEIVED, attach_receipt, closed_case

pytestmark = pytest.mark.django_db

CLOSED = RECEIVED + dt.timedelta(days=2)
AFTER_RETENTION = CLOSED + dt.timedelta(days=1097)
SECRET = "Rosa Diaz, 12 Secret Lane"


@pytest.fixture
def policy(db):
    targets = DEFAULT_TARGETS | {TargetKind.RETENTION: (None, 1096, Unit.CALENDAR_DAYS)}
    return PolicyFactory(is_default=True, targets=targets)


def personal_case(policy, **fields):
    case = closed_case(
        policy=policy,
        complainant_name="Rosa Diaz",
        complainant_email="rosa@example.com",
        complainant_phone="+44 20 7946 0000",
        complainant_address=SECRET,
        account_identifier="rosa-42",
        description=f"I am {SECRET}.",
        earlier_contact="Called on Monday.",
        desired_outcome="A refund to my card 4242.",
        response_findings="Rosa was charged twice.",
        response_reasoning="Our error, Rosa.",
        satisfaction_comment="Thanks, Rosa.",
        **fields,
    )
    case.response_actions = "Refunded Rosa."
    case.save()  # a second historical row with the personal data
    Message.objects.create(complaint=case, direction="inbound", body=f"From {SECRET}")
    Escalation.objects.create(
        complaint=case,
        requested_by=ActorKind.COMPLAINANT,
        requested_at=RECEIVED,
        grounds=f"Not enough for {SECRET}",
    )
    attach_receipt(case)
    return case


def test_it_anonymises_a_case_past_retention_and_keeps_its_figures(
    policy, django_capture_on_commit_callbacks
):
    case = personal_case(policy)
    file_name = case.attachments.get().file.name
    assert default_storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_anonymise_due(AFTER_RETENTION) == 1

    case.refresh_from_db()
    assert case.anonymised_at == AFTER_RETENTION
    assert all(getattr(case, name) == "" for name in COMPLAINT_PERSONAL_FIELDS)
    assert (case.state, case.outcome, case.redress_amount, case.satisfaction_rating) == (
        "resolved",
        "upheld",
        10,
        4,
    )
    assert not case.attachments.exists() and not default_storage.exists(file_name)
    assert case.events.filter(action="anonymised", is_public=False).exists()


def test_no_personal_data_survives_in_the_history(policy, django_capture_on_commit_callbacks):
    case = personal_case(policy)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_anonymise_due(AFTER_RETENTION)
    histories = [
        *Complaint.history.filter(id=case.pk).values(),
        *Message.history.filter(complaint_id=case.pk).values(),
        *Escalation.history.filter(complaint_id=case.pk).values(),
        *Message.objects.filter(complaint=case).values(),
        *Escalation.objects.filter(complaint=case).values(),
        *case.events.values(),
    ]
    assert len(histories) > 5
    for row in histories:
        for value in row.values():
            assert "Rosa" not in str(value) and "rosa" not in str(value)
            assert "Secret" not in str(value)


def test_it_keeps_young_open_and_unretained_cases(policy):
    young = personal_case(policy)
    open_case = ComplaintFactory(policy=policy, received_at=RECEIVED)
    forever = closed_case(policy=PolicyFactory())  # no retention promise
    assert complaints_anonymise_due(CLOSED + dt.timedelta(days=1095)) == 0
    assert complaints_anonymise_due(AFTER_RETENTION) == 1
    for case in (open_case, forever):
        case.refresh_from_db()
        assert case.anonymised_at is None and case.complainant_name
    young.refresh_from_db()
    assert young.anonymised_at is not None


def test_it_does_a_batch_at_a_time_and_each_case_once(policy):
    for _n in range(3):
        personal_case(policy)
    assert complaints_anonymise_due(AFTER_RETENTION, limit=2) == 2
    assert complaints_anonymise_due(AFTER_RETENTION) == 1
    assert complaints_anonymise_due(AFTER_RETENTION) == 0


def test_the_task_runs_the_sweep(policy, time_machine):
    personal_case(policy)
    time_machine.move_to(AFTER_RETENTION)
    assert anonymise_due_complaints.apply().get() == 1


def test_it_blanks_inbound_mail_that_belongs_to_no_case_after_its_own_period(settings):
    from inbound.models import InboundEmail

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

    assert inbound_emails_purge_unlinked(now) == 1
    assert inbound_emails_purge_unlinked(now) == 0
    old.refresh_from_db()
    assert bytes(old.raw) == b"" and old.from_address == "" and old.subject == ""
    for kept in (young, held):
        kept.refresh_from_db()
        assert kept.from_address == "someone@example.com"
