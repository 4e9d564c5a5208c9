"""Retention: personal data of closed cases past the policy's period goes, figures stay."""

import datetime as dt

import pytest
import time_machine
from django.core.files.storage import default_storage

from complaints.choices import ActorKind, TargetKind
from complaints.clock import Unit
from complaints.models import Complaint, Message
from complaints.retention import COMPLAINT_PERSONAL_FIELDS, complaints_anonymise_due
from complaints.tasks import anonymise_due_complaints
from config.celery import app
from escalations.models import Escalation
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
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(AFTER_RETENTION, tick=False),
    ):
        assert complaints_anonymise_due() == 1

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
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(AFTER_RETENTION, tick=False),
    ):
        complaints_anonymise_due()
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
    with time_machine.travel(CLOSED + dt.timedelta(days=1095), tick=False):
        assert complaints_anonymise_due() == 0
    with time_machine.travel(AFTER_RETENTION, tick=False):
        assert complaints_anonymise_due() == 1
    for case in (open_case, forever):
        case.refresh_from_db()
        assert case.anonymised_at is None and case.complainant_name
    young.refresh_from_db()
    assert young.anonymised_at is not None


def test_it_does_a_batch_at_a_time_and_each_case_once(policy):
    for _n in range(3):
        personal_case(policy)
    with time_machine.travel(AFTER_RETENTION, tick=False):
        assert complaints_anonymise_due(batch=2) == 2
        assert complaints_anonymise_due() == 1
        assert complaints_anonymise_due() == 0


def test_the_task_runs_the_sweep_from_the_beat_schedule(policy):
    personal_case(policy)
    entry = app.conf.beat_schedule["complaints-anonymise-due"]
    assert entry["task"] == anonymise_due_complaints.name
    with time_machine.travel(AFTER_RETENTION, tick=False):
        assert anonymise_due_complaints.apply().get() == 1
