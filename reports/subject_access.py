"""A subject-access export: everything held about one complainant, every case under an email.

The zip holds data.json (each case with its messages, files, escalations and timeline) and the
files under files/<reference>/. Staff-only notes and files are included and flagged
`staff_only`: they are personal data about the complainant too; the supervisor reviews the
export for third parties' data before sending it. Each case records the export in its timeline
(not shown to the complainant) and in the access log; the access log of each case, who opened it
and when, is part of the export.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import casework, clock
from complaints.actors import Actor
from complaints.choices import VulnerabilityDriver
from complaints.exceptions import ComplaintError
from complaints.models import (
    CONTACT_FIELDS,
    RESPONSE_TEXT_FIELDS,
    STATEMENT_FIELDS,
    CaseAccess,
    Complaint,
    Message,
)
from complaints.services import case_access_record
from complaints.vulnerability import vulnerability_of

EXPORT = "subject-access export"
CASE_FIELDS = [
    "reference",
    "state",
    "channel",
    *CONTACT_FIELDS,
    "language",
    "product_or_service",
    "incident_at",
    *STATEMENT_FIELDS,
    "received_at",
    "acknowledged_at",
    "responded_at",
    "resolved_at",
    "withdrawn_at",
    "closed_at",
    *RESPONSE_TEXT_FIELDS,
    "remedies",
    "redress_amount",
    "redress_currency",
    "outcome",
    "satisfaction_rating",
    "satisfaction_comment",
]


def subject_access_export(*, email: str, actor: Actor) -> tuple[bytes, int]:
    """Return the zip of every case under `email` and how many cases it holds."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ComplaintError(_("“%(email)s” is not an email address.") % {"email": email}) from exc
    cases = list(
        Complaint.objects.filter(complainant_email__iexact=email)
        .select_related("category", "vulnerability")
        .prefetch_related(
            "messages",
            "attachments",
            "escalations",
            "events",
            "inbound_emails",
            "accesses",
            "redress_entries",
        )
        .order_by("received_at")
    )
    if not cases:
        raise ComplaintError(_("No complaint is recorded under %(email)s.") % {"email": email})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        records = [case_record(case, archive) for case in cases]
        document = {"email": email, "exported_at": clock.now(), "complaints": records}
        archive.writestr(
            "data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
    with transaction.atomic():
        for case in cases:
            casework.record_event(
                case, "subject_access_export", actor, from_state=case.state, public=False
            )
            if actor.user is not None:
                case_access_record(
                    user=actor.user, kind=CaseAccess.Kind.EXPORT, complaint=case, detail=EXPORT
                )
    return buffer.getvalue(), len(cases)


def vulnerability_record(case: Complaint) -> dict[str, Any] | None:
    record = vulnerability_of(case)
    if record is None:
        return None
    return {
        "drivers": [value for value in VulnerabilityDriver.values if getattr(record, value)],
        "handling_notes": record.notes,
        "adjustments": [str(label) for label in record.adjustment_labels()],
        "other_adjustments": record.other_adjustments,
    }


def case_record(case: Complaint, archive: zipfile.ZipFile) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(case, name) for name in CASE_FIELDS}
    record["category"] = str(case.category) if case.category else None
    record["messages"] = [
        {
            "direction": message.direction,
            "staff_only": message.direction == Message.Direction.INTERNAL_NOTE,
            "body": message.body,
            "created_at": message.created_at,
        }
        for message in case.messages.all()
    ]
    record["files"] = []
    for attachment in case.attachments.all():
        path = f"files/{case.reference}/{attachment.pk}-{attachment.stored_name or 'file'}"
        with attachment.file.open("rb") as handle:
            archive.writestr(path, handle.read())
        record["files"].append(
            {
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size": attachment.size,
                "staff_only": attachment.is_internal,
                "path": path,
            }
        )
    record["emails_received"] = []
    for inbound in case.inbound_emails.all():
        path = f"emails/{case.reference}/{inbound.pk}.eml"
        archive.writestr(path, bytes(inbound.raw))
        record["emails_received"].append(
            {"from": inbound.from_address, "subject": inbound.subject, "path": path}
        )
    record["escalations"] = [
        {
            "requested_at": escalation.requested_at,
            "grounds": escalation.grounds,
            "desired_outcome": escalation.desired_outcome,
            "decision": escalation.decision,
            "final_response": escalation.final_response,
            "decided_at": escalation.decided_at,
        }
        for escalation in case.escalations.all()
    ]
    # The complainant's own data: staff record it about them, so the export holds it.
    record["vulnerability"] = vulnerability_record(case)
    record["redress"] = [
        {
            "entry": entry.entry_type,
            "kind": entry.kind,
            "amount": entry.amount,
            "currency": entry.currency,
            "date": entry.on,
            "status": entry.status,
            "note": entry.note,
        }
        for entry in case.redress_entries.all()
    ]
    # Who at the organisation opened the case, its files or an export of it, and when.
    record["access_log"] = [
        {"at": access.at, "by": access.username, "what": access.get_kind_display()}
        | ({"detail": access.detail} if access.detail else {})
        for access in sorted(case.accesses.all(), key=lambda row: (row.at, row.pk))
    ]
    record["timeline"] = [
        {"action": event.action, "to_state": event.to_state, "at": event.created_at}
        for event in case.events.all()
        if event.is_public
    ]
    return record
