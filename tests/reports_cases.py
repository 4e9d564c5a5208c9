"""Complaints with known times, outcomes and durations for the reports' tests."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

from complaints.choices import (
    ActorKind,
    ApprovalStatus,
    Channel,
    Outcome,
    RedressEntryType,
    RedressKind,
    RootCause,
    State,
)
from complaints.models import Attachment, RedressEntry
from tests.factories import ComplaintFactory

RECEIVED = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)  # a Monday in 2026H1


def closed_case(*, days=2, business_days=2, outcome=Outcome.UPHELD, redress="10.00", **fields):
    """Return a resolved case received on RECEIVED and closed `days` later."""
    closed_at = RECEIVED + dt.timedelta(days=days)
    values = {
        "state": State.RESOLVED,
        "received_at": RECEIVED,
        "acknowledged_at": RECEIVED + dt.timedelta(hours=2),
        "business_days_to_acknowledge": 0,
        "first_responded_at": RECEIVED + dt.timedelta(days=1),
        "responded_at": closed_at,
        "resolved_at": closed_at,
        "closed_at": closed_at,
        "business_days_to_close": business_days,
        "outcome": outcome,
        "redress_amount": Decimal(redress) if redress else None,
        "redress_currency": "EUR" if redress else "",
        "root_cause": RootCause.BILLING_ERROR,
        "satisfaction_rating": 4,
        "channel": Channel.EMAIL,
    }
    case = ComplaintFactory(**(values | fields))
    if redress:
        paid(case, redress, on=closed_at.date())
    return case


def paid(case, amount, *, on, currency="EUR", status=ApprovalStatus.APPROVED):
    """Record a payment of `amount` on the case's redress ledger, approved unless told."""
    return RedressEntry.objects.create(
        complaint=case,
        entry_type=RedressEntryType.PAYMENT,
        kind=RedressKind.REFUND,
        amount=Decimal(amount),
        currency=currency,
        on=on,
        recorded_by_kind=ActorKind.STAFF,
        status=status,
        created_at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC),
    )


def attach_receipt(case):
    """Give the case a stored file, as an upload would."""
    return Attachment.objects.create(
        complaint=case,
        file=ContentFile(b"%PDF receipt", name="receipt.pdf"),
        stored_name="abc123.pdf",
        original_name="receipt.pdf",
        content_type="application/pdf",
        size=12,
        sha256="0" * 64,
        uploaded_by=ActorKind.COMPLAINANT,
    )
