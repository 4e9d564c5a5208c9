"""Storing a file on a case: a random stored name, its size and digest, and a timeline entry."""

from __future__ import annotations

import hashlib
import secrets

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import casework
from complaints.actors import Actor
from complaints.exceptions import ComplaintError
from complaints.models import Attachment, Complaint

# A plain ceiling for staff uploads; the public site sniffs types and applies its own limits.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def attachment_store(
    *, complaint: Complaint, actor: Actor, upload: UploadedFile, is_internal: bool = False
) -> Attachment:
    """Keep `upload` on the case under a name of ours; staff-only files stay off the public page."""
    if upload.size is None or upload.size == 0:
        raise ComplaintError(_("The file is empty."))
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ComplaintError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_ATTACHMENT_BYTES // 2**20}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        complaint=complaint,
        stored_name=secrets.token_hex(16),
        original_name=(upload.name or "file")[-255:],
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor.kind,
        uploaded_by_user=actor.user,
        is_internal=is_internal,
    )
    with transaction.atomic():
        attachment.file.save(attachment.stored_name, upload, save=False)
        attachment.save()
        casework.record_event(
            complaint,
            "file_added",
            actor,
            from_state=complaint.state,
            note=attachment.original_name,
            public=not is_internal,
        )
    return attachment
