"""Carry the redress of cases answered before the ledger into it.

Each response's redress amount becomes an approved offer, told when the response was sent; a
case closed with one gets an approved payment dated at its closure, which is what the dashboard
and the data return counted as paid before they read the ledger, so no figure moves.
"""

from django.db import migrations

NOTE = "Carried over from before the redress ledger."


def carry_over(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    RedressEntry = apps.get_model("complaints", "RedressEntry")
    cases = Complaint.objects.filter(redress_amount__isnull=False).iterator(chunk_size=2000)
    for case in cases:
        told = case.responded_at or case.closed_at or case.received_at
        common = {
            "complaint_id": case.pk,
            "kind": "compensation",
            "amount": case.redress_amount,
            "currency": case.redress_currency or "EUR",
            "note": NOTE,
            "recorded_by_kind": "system",
            "status": "approved",
        }
        offer = RedressEntry.objects.create(
            entry_type="offer", on=told.date(), communicated_at=told, created_at=told, **common
        )
        if case.closed_at is not None and case.state == "resolved":
            RedressEntry.objects.create(
                entry_type="payment",
                offer=offer,
                on=case.closed_at.date(),
                created_at=case.closed_at,
                **common,
            )


def remove(apps, schema_editor):
    carried = apps.get_model("complaints", "RedressEntry").objects.filter(note=NOTE)
    # Payments first: each protects the offer it follows.
    carried.filter(offer__isnull=False).delete()
    carried.delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0019_vulnerability_and_redress_ledger")]

    operations = [migrations.RunPython(carry_over, remove)]
