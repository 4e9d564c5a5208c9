"""What a complainant does on the public site that carries files: each one transaction.

The lifecycle services do the casework; these add the checked files to the same transaction,
so a complaint or a reply is stored with all its files or not at all.
"""

from __future__ import annotations

from typing import Any

from complaints import services
from complaints.actors import COMPLAINANT
from complaints.choices import ActorKind, Channel
from complaints.models import Complaint, Message
from complaints.uploads import CheckedFile, atomic_with_files, attachments_store


def complaint_submit_online(
    *, files: list[CheckedFile], channel: str = Channel.WEB, **fields: Any
) -> Complaint:
    """Record a complaint from the web form (or the organisation's app or dashboard) with files."""
    # The API calls this inside its own transaction and lets any failure go up through it.
    with atomic_with_files(savepoint=False) as stored:
        complaint = services.complaint_submit(channel=channel, actor=COMPLAINANT, **fields)
        stored += attachments_store(
            complaint=complaint, files=files, uploaded_by=ActorKind.COMPLAINANT
        )
    return complaint


def complaint_reply_online(
    *, complaint: Complaint, body: str, files: list[CheckedFile], channel: str = Channel.WEB
) -> Message:
    """Add the complainant's message and files to the case."""
    with atomic_with_files() as stored:
        message = services.complaint_record_customer_reply(
            complaint=complaint, body=body, channel=channel
        )
        stored += attachments_store(
            complaint=complaint, files=files, uploaded_by=ActorKind.COMPLAINANT, message=message
        )
    return message
