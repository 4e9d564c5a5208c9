"""The redress of cases answered before the ledger is carried into it, so no figure moves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.test_migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def carry_over_migration() -> tuple[tuple[str, str], tuple[str, str]]:
    """Return the carrying-over migration and the one before it (named, whatever their numbers)."""
    graph = MigrationExecutor(connection).loader.graph
    node = next(
        key
        for key in graph.nodes
        if key[0] == "complaints" and key[1].endswith("redress_ledger_from_responses")
    )
    (before,) = [parent for parent in graph.node_map[node].parents if parent[0] == "complaints"]
    return node, before.key


def test_it_carries_each_responses_redress_into_the_ledger(postgres):
    node, before = carry_over_migration()
    old = migrate([before])
    policy = old.get_model("complaints", "ComplaintPolicy").objects.create(
        name="Old policy", slug="old-policy"
    )
    Complaint = old.get_model("complaints", "Complaint")
    common = {
        "policy": policy,
        "channel": "email",
        "complainant_name": "Rosa Diaz",
        "description": "Charged twice.",
        "received_at": RECEIVED,
    }
    responded = RECEIVED + dt.timedelta(days=3)
    open_case = Complaint.objects.create(
        reference="K7QM4XH9P",
        tracking_token="a",
        state="responded",
        responded_at=responded,
        redress_amount=Decimal("9.99"),
        redress_currency="GBP",
        **common,
    )
    closed = Complaint.objects.create(
        reference="K7QM4XH9Q",
        tracking_token="b",
        state="resolved",
        responded_at=responded,
        closed_at=responded + dt.timedelta(days=2),
        redress_amount=Decimal("20.00"),
        redress_currency="EUR",
        **common,
    )
    Complaint.objects.create(reference="K7QM4XH9R", tracking_token="c", state="received", **common)

    new = migrate([node])
    entries = new.get_model("complaints", "RedressEntry").objects.order_by("complaint_id", "pk")
    assert [
        (row.complaint_id, row.entry_type, row.amount, row.currency, row.status, row.on)
        for row in entries
    ] == [
        (open_case.pk, "offer", Decimal("9.99"), "GBP", "approved", responded.date()),
        (closed.pk, "offer", Decimal("20.00"), "EUR", "approved", responded.date()),
        (closed.pk, "payment", Decimal("20.00"), "EUR", "approved", closed.closed_at.date()),
    ]
    assert entries.get(entry_type="payment").offer == entries.get(
        complaint_id=closed.pk, entry_type="offer"
    )

    migrate([before])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
