"""Files on a case: staff uploads (the public site's checks and storage, plus a timeline
entry), and the one way any file is served."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.http import FileResponse

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


def attachment_response(attachment: Attachment) -> FileResponse:
    """Return the file as a download with its sniffed type, never rendered in the browser.

    The type is the one uploads.check_upload sniffed from the content (on an allow-list), not the
    uploader's claim; Content-Disposition: attachment and nosniff keep the browser from opening it.
    """
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
