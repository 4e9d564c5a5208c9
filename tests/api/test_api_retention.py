"""Retention: a client's idempotency key goes with the personal data of its case."""

import datetime as dt

import pytest
import time_machine

from api.models import ApiSubmission, Scope
from api.services import api_client_create
from complaints.choices import TargetKind
from complaints.clock import Unit
from complaints.retention import complaints_anonymise_due
from tests.factories import DEFAULT_TARGETS, PolicyFactory
from tests.reports_cases import RECEIVED, closed_case

pytestmark = pytest.mark.django_db


def test_anonymising_a_case_blanks_the_idempotency_key_its_client_sent():
    targets = DEFAULT_TARGETS | {TargetKind.RETENTION: (None, 30, Unit.CALENDAR_DAYS)}
    policy = PolicyFactory(is_default=True, targets=targets)
    client, _key = api_client_create(name="Shop", scopes=[Scope.SUBMIT])
    case = closed_case(policy=policy, account_identifier="rosa-42")
    ApiSubmission.objects.create(
        client=client, complaint=case, idempotency_key="order-rosa-42", fingerprint="f" * 64
    )
    with time_machine.travel(RECEIVED + dt.timedelta(days=60)):
        assert complaints_anonymise_due() == 1
    assert ApiSubmission.objects.values("idempotency_key", "fingerprint").get() == {
        "idempotency_key": "",
        "fingerprint": "",
    }
