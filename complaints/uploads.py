"""Files from complainants: what they really are (by content, not name), how big, and storing them.

Only a short allow-list passes: PDF, PNG, JPEG, GIF, WebP, plain text, CSV and email messages.
The type is sniffed from the bytes; an image must open and verify in Pillow; text must be valid
UTF-8 without NUL or control characters. The stored name is random; the uploader's name is only
kept, cleaned and with the extension of the sniffed type, for display and as the download's name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_email_policy
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from complaints.models import Attachment, Complaint, Message

EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "message/rfc822": ".eml",
}
PILLOW_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
# What a file's name may claim, by extension; a name claiming something else than the content
# is refused (an "image" that is not one). Names without a known extension are judged by content.
CLAIMED = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".txt": {"text/plain", "text/csv"},
    ".csv": {"text/csv", "text/plain"},
    ".eml": {"message/rfc822"},
}
ACCEPT = ",".join(sorted(CLAIMED))
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """Return the last path part of `name` without control characters, never empty."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME_LENGTH]
        )
    return name or "file"


def safe_name(name: str, content_type: str) -> str:
    """Return `name` ending in an extension of what the file really is.

    A name's extension is what a computer opens the file with: a text file named `.hta`, `.html`
    or `.bat` would run or render when opened, so only an extension that matches the sniffed
    type is kept; any other is replaced by the type's own.
    """
    name = clean_name(name)
    path = PurePosixPath(name)
    if content_type in CLAIMED.get(path.suffix.lower(), ()):
        return name
    stem = path.stem if path.suffix else name
    return clean_name(stem + EXTENSIONS.get(content_type, ".bin"))


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Return the checked file, or raise ValidationError naming it and what is wrong."""
    name = clean_name(upload.name or "")
    limit = settings.REDRESS_UPLOAD_MAX_FILE_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size or 0),
                "limit": filesizeformat(limit),
            }
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a file type we accept. Send PDF, PNG, JPEG, GIF, WebP, "
                "plain text, CSV or email (.eml) files."
            )
            % {"name": name}
        )
    claimed = CLAIMED.get(PurePosixPath(name.lower()).suffix)
    if claimed is not None and content_type not in claimed:
        raise ValidationError(
            _("“%(name)s” does not contain what its name says (it is not a valid %(kind)s file).")
            % {"name": name, "kind": PurePosixPath(name).suffix.lstrip(".").upper()}
        )
    return CheckedFile(
        upload=upload,
        original_name=safe_name(name, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def check_case_total(files: list[CheckedFile], *, already: int = 0) -> None:
    limit = settings.REDRESS_UPLOAD_MAX_CASE_BYTES
    total = already + sum(file.size for file in files)
    if total > limit:
        raise ValidationError(
            _("Together the files come to %(size)s; a complaint may hold at most %(limit)s.")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )


def sniff(data: bytes) -> str | None:
    """Return the allowed content type of `data`, or None if it is none of them."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return _image_type(data)
    text = _as_text(data)
    if text is None:
        return None
    if _is_email(data):
        return "message/rfc822"
    if _is_csv(text):
        return "text/csv"
    return "text/plain"


def _image_type(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken or hostile file.
        return None
    return PILLOW_FORMATS.get(kind) if kind else None


def _as_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in TEXT_CONTROLS_ALLOWED for ch in text):
        return None
    return text


def _is_email(data: bytes) -> bool:
    first_line = data.split(b"\n", 1)[0]
    if b":" not in first_line or first_line[:1].isspace():
        return False
    headers = BytesHeaderParser(policy=default_email_policy).parsebytes(data)
    return bool(headers["From"]) and bool(headers["Date"] or headers["Subject"])


def _is_csv(text: str) -> bool:
    lines = text.strip().splitlines()[:20]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() > 1


def attachments_store(
    *,
    complaint: Complaint,
    files: list[CheckedFile],
    uploaded_by: str,
    message: Message | None = None,
    uploaded_by_user=None,
    is_internal: bool = False,
) -> list[Attachment]:
    """Store checked files on the case, inside the caller's transaction.

    The database rolls back on failure but the storage does not: whatever this call stored is
    removed again before the error goes on, and `attachments_remove` does it for the caller.
    """
    stored: list[Attachment] = []
    try:
        for checked in files:
            attachment = Attachment(
                complaint=complaint,
                message=message,
                stored_name=secrets.token_hex(16) + EXTENSIONS[checked.content_type],
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=uploaded_by,
                uploaded_by_user=uploaded_by_user,
                is_internal=is_internal,
            )
            checked.upload.seek(0)
            attachment.file.save(attachment.stored_name, checked.upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        attachments_remove(stored)
        raise
    return stored


def attachments_remove(attachments: list[Attachment]) -> None:
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


@contextmanager
def atomic_with_files(*, savepoint: bool = True) -> Iterator[list[Attachment]]:
    """Run a transaction; the attachments added to the yielded list leave storage if it fails.

    `savepoint=False` inside a caller's transaction where a failure is never caught within it.
    """
    stored: list[Attachment] = []
    try:
        with transaction.atomic(savepoint=savepoint):
            yield stored
    except BaseException:
        attachments_remove(stored)
        raise
