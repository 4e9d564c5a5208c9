"""Staff uploads on a case: the public site's checks and storage, plus a timeline entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum

from complaints import casework, uploads
from complaints.actors import Actor
from complaints.exceptions import ComplaintError
from complaints.models import Attachment, Complaint


def attachment_store(
    *, complaint: Complaint, actor: Actor, upload: UploadedFile, is_internal: bool = False
) -> Attachment:
    """Keep `upload` on the case under a name of ours; staff-only files stay off the public page."""
    already = complaint.attachments.aggregate(total=Sum("size"))["total"] or 0
    try:
        checked = uploads.check_upload(upload)
        uploads.check_case_total([checked], already=already)
    except ValidationError as exc:
        raise ComplaintError(" ".join(exc.messages)) from exc
    with uploads.atomic_with_files() as stored:
        stored += uploads.attachments_store(
            complaint=complaint,
            files=[checked],
            uploaded_by=actor.kind,
            uploaded_by_user=actor.user,
            is_internal=is_internal,
        )
        casework.record_event(
            complaint,
            "file_added",
            actor,
            from_state=complaint.state,
            note=checked.original_name,
            public=not is_internal,
        )
    return stored[0]
