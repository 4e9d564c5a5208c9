"""Complaints with known times, outcomes and durations for the reports' tests."""

import dataclasses
import datetime as dt
import json
from decimal import Decimal

from django.core.files.base import ContentFile

from complaints.choices import (
    ActorKind,
    ApprovalStatus,
    Channel,
    Outcome,
    PromiseKind,
    RedressEntryType,
    RedressKind,
    RootCause,
    State,
)
from complaints.models import Attachment, Category, Promise, RedressEntry, Vulnerability
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


FIGURES_NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def a_desk_for_every_figure():
    """Build a small desk that gives every figure of the dashboard a count for February 2026:
    cases received and closed by channel, category and outcome, deadlines kept and missed on
    both clocks, open cases of every age with a clock standing still, vulnerable cases, the
    ledger in two currencies and a merged duplicate. Return the group category."""
    billing = Category.objects.create(name="Billing", slug="figures-billing")
    refunds = Category.objects.create(name="Refunds", slug="figures-refunds", parent=billing)
    access = Category.objects.create(name="Access", slug="figures-access")
    for days, category, outcome, channel in [
        (1, billing, Outcome.UPHELD, Channel.EMAIL),
        (3, refunds, Outcome.PARTLY_UPHELD, Channel.PHONE),
        (4, access, Outcome.NOT_UPHELD, Channel.WEB),
        (10, refunds, Outcome.UPHELD, Channel.EMAIL),
    ]:
        case = closed_case(
            days=days, business_days=days, category=category, outcome=outcome, channel=channel
        )
        Vulnerability.objects.create(
            complaint=case, health=days > 2, capability=days == 3, updated_at=RECEIVED
        )
    closed_case(redress="", satisfaction_rating=None, escalated_at=RECEIVED, category=billing)
    paid(closed_case(category=access), "7.25", on=RECEIVED.date(), currency="GBP")
    paid(closed_case(category=access), "3.00", on=RECEIVED.date(), status=ApprovalStatus.AWAITING)
    original = ComplaintFactory(received_at=RECEIVED, category=refunds)
    ComplaintFactory(received_at=RECEIVED, category=refunds, merged_into=original)
    Vulnerability.objects.create(
        complaint=original, life_event=True, resilience=True, updated_at=RECEIVED
    )
    for days in [3, 20, 40, 70]:
        ComplaintFactory(received_at=FIGURES_NOW - dt.timedelta(days=days), category=billing)
    ComplaintFactory(received_at=RECEIVED, clock_paused_at=RECEIVED, category=access)
    ComplaintFactory(
        received_at=RECEIVED,
        regulatory_suspended_until=FIGURES_NOW + dt.timedelta(days=30),
        category=refunds,
    )
    day = dt.datetime(2026, 2, 10, 17, tzinfo=dt.UTC)
    for kind, kept_at, released_at in [
        (PromiseKind.ACKNOWLEDGEMENT, day - dt.timedelta(hours=1), None),
        (PromiseKind.ACKNOWLEDGEMENT, day + dt.timedelta(days=1), None),
        (PromiseKind.ACKNOWLEDGEMENT, None, None),
        (PromiseKind.ACKNOWLEDGEMENT, None, day - dt.timedelta(hours=2)),
        (PromiseKind.FULL_RESPONSE, day, None),
        (PromiseKind.REVIEW, None, None),
        (PromiseKind.FINAL_RESPONSE, day, None),
        (PromiseKind.FINAL_RESPONSE, day + dt.timedelta(days=20), None),
        (PromiseKind.FINAL_RESPONSE, None, None),
        (PromiseKind.FINAL_RESPONSE, None, day - dt.timedelta(days=1)),
    ]:
        made = promise(kind, day, kept_at=kept_at, released_at=released_at, category=billing)
        if kind == PromiseKind.FINAL_RESPONSE and kept_at and kept_at > day:
            holding_reply_in_time(made.complaint, day)
    return billing


def promise(kind, limit, *, kept_at=None, released_at=None, category=None):
    """Return a promise of `kind` due at `limit` on a new case received on RECEIVED."""
    return Promise.objects.create(
        complaint=ComplaintFactory(received_at=RECEIVED, category=category),
        kind=kind,
        limit=limit,
        due_soon_at=limit - dt.timedelta(hours=24),
        kept_at=kept_at,
        released_at=released_at,
        created_at=RECEIVED,
    )


def holding_reply_in_time(case, limit):
    """Record a holding reply sent a day before its `limit` on the case."""
    return Promise.objects.create(
        complaint=case,
        kind=PromiseKind.HOLDING_REPLY,
        limit=limit,
        due_soon_at=limit,
        kept_at=limit - dt.timedelta(days=1),
        created_at=RECEIVED,
    )


def figures_as_data(figures) -> dict:
    """Return every figure of a dashboard as JSON's plain values, to compare two databases."""
    data = dataclasses.asdict(figures)
    data["category"] = str(figures.category) if figures.category else None
    data["period"] = str(figures.period)
    return json.loads(json.dumps(data, default=str))
