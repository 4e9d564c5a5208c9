"""The ombudsman referral pack: one case's file as an ombudsman reads it, in one zip.

The zip holds a PDF case file and the case's attachments, named by their order number:
`<ref>-00-case-file.pdf`, then `<ref>-01-<name>`, `<ref>-02-<name>`, ... The PDF's sections, in
the order an ombudsman reads a complaint file:
1 the complaint as received; 2 the timeline; 3 the correspondence with the complainant, every
message either way in order with its date and channel, and then, in a section of their own
marked as never sent, the internal notes (an ombudsman asks for the whole file, notes included,
and must never mistake a note for something the complainant was told); 4 our response; 5 the
final responses and holding replies; 6 redress (the ledger); 7 the list of attachments with
their numbers.

Messages we sent are shown as the outbox renders them from the case's record, with every
tracking link taken out: a link to a complainant's private page is a key to it and never leaves
the organisation. The zip is written to a temporary file on disk, each attachment copied in
chunks, so a case with large files does not fill the memory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from complaints.admin.timeline import case_timeline
from complaints.choices import Remedy
from complaints.models import Attachment, Complaint, Message, RedressEntry
from escalations.models import Escalation
from notifications.models import Notification
from notifications.rendering import SUBJECTS, TEMPLATE_DIR, email_context

# What the complainant received that closes a case under a rule pack, by the outbox's kind
# (the holding reply and the summary resolution are the rule packs' messages).
FINAL_KINDS = ("final_response", "holding_reply", "summary_resolution")
TRACKING_LINK = re.compile(r"\S*/track/[A-Za-z0-9_-]{16,}/?\S*")
NAME_LENGTH = 80


@dataclass(frozen=True)
class Letter:
    """One message to or from the complainant, as the pack prints it."""

    at: Any
    direction: str
    channel: str
    title: str
    text: str
    status: str = ""


def referral_pack_write(case: Complaint, out: IO[bytes]) -> list[str]:
    """Write the case's referral pack (a zip) to `out`; return the names in it, in order."""
    files = list(case.attachments.order_by("created_at", "pk"))
    names = [f"{case.reference}-00-case-file.pdf"]
    names += [attachment_name(case, number, file) for number, file in enumerate(files, start=1)]
    pdf = case_file_pdf(case, files, names[1:])
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(names[0], pdf)
        for name, attachment in zip(names[1:], files, strict=True):
            with attachment.file.open("rb") as source, archive.open(name, "w") as target:
                shutil.copyfileobj(source, target, length=1024 * 1024)
    return names


def referral_pack_file(case: Complaint) -> IO[bytes]:
    """Return the pack in a temporary file, rewound (deleted when closed)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once streamed
    try:
        referral_pack_write(case, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def attachment_name(case: Complaint, number: int, attachment: Attachment) -> str:
    """Return the file's name in the zip: the case, its order number, its own name made safe."""
    base = os.path.basename(attachment.original_name.replace("\\", "/"))
    stem, ext = os.path.splitext(base)
    safe = get_valid_filename(stem[:NAME_LENGTH]) if stem.strip(" .") else ""
    safe_ext = get_valid_filename(ext[:12]) if ext.strip(".") else ""
    return f"{case.reference}-{number:02d}-{safe or 'file'}{safe_ext if safe_ext else ''}"


def case_file_pdf(case: Complaint, files: list[Attachment], names: list[str]) -> bytes:
    """Return the PDF case file."""
    # Imported here: WeasyPrint loads Pango when imported, which only PDFs need.
    from weasyprint import HTML

    return HTML(string=case_file_html(case, files, names)).write_pdf()


def case_file_html(case: Complaint, files: list[Attachment], names: list[str]) -> str:
    zone = case.policy.calendar().tz
    with timezone.override(zone):
        timeline = [entry for entry in case_timeline(case) if entry.kind in ("event", "extension")]
        letters, notes = correspondence(case)
        return render_to_string(
            "reports/referral_pack.html",
            {
                "case": case,
                "organisation": settings.REDRESS_ORGANISATION_NAME,
                "generated": timezone.localtime(),
                "time_zone": str(zone),
                "timeline": timeline,
                "letters": letters,
                "notes": notes,
                "remedies": [
                    str(Remedy(value).label) for value in case.remedies if value in Remedy
                ],
                "finals": final_responses(case),
                "redress": redress(case),
                "files": list(zip(range(1, len(files) + 1), files, names, strict=True)),
            },
        )


def correspondence(case: Complaint) -> tuple[list[Letter], list[Message]]:
    """Return the messages to and from the complainant in order, and the internal notes."""
    letters = [
        Letter(
            message.created_at,
            _("From the complainant"),
            message.get_channel_display(),
            _("Message from the complainant"),
            message.body,
        )
        for message in case.messages.filter(direction=Message.Direction.FROM_COMPLAINANT)
    ]
    letters += [sent_letter(notification) for notification in complainant_notifications(case)]
    notes = list(
        case.messages.filter(direction=Message.Direction.INTERNAL_NOTE).select_related("author")
    )
    return sorted(letters, key=lambda letter: letter.at), notes


def complainant_notifications(case: Complaint):
    return (
        case.notifications.filter(recipient_user__isnull=True)
        .exclude(kind__in=[Notification.Kind.TRACKING_LINK, Notification.Kind.SURVEY])
        .select_related("complaint__policy", "complaint__handler", "complaint__category")
        .order_by("created_at", "pk")
    )


def sent_letter(notification: Notification) -> Letter:
    return Letter(
        notification.sent_at or notification.created_at,
        _("To the complainant"),
        str(notification.get_channel_display()),
        str(SUBJECTS.get(notification.kind, notification.get_kind_display())),
        rendered_text(notification),
        str(notification.get_status_display()),
    )


def rendered_text(notification: Notification) -> str:
    """Return the message's text as the outbox renders it, without any tracking link."""
    try:
        with translation.override(notification.language):
            context = email_context(notification)
            text = render_to_string(f"{TEMPLATE_DIR}/{notification.kind}.txt", context)
    except Exception:  # noqa: BLE001 - one unreadable record must not lose the whole pack
        return _("(The text of this message could not be rendered from the record.)")
    return TRACKING_LINK.sub(_("[link to the complainant's tracking page]"), text).strip()


def final_responses(case: Complaint) -> list[Letter]:
    """Return the final responses (a review's decision) and the rule packs' closing letters."""
    finals = []
    reviews = Escalation.objects.filter(complaint=case).exclude(final_response="").order_by("pk")
    for escalation in reviews:
        finals.append(
            Letter(
                escalation.decided_at or escalation.requested_at,
                _("To the complainant"),
                "",
                _("Final response after a review (%(decision)s)")
                % {"decision": escalation.get_decision_display() or _("no decision")},
                escalation.final_response,
            )
        )
    finals += [
        sent_letter(notification)
        for notification in complainant_notifications(case).filter(kind__in=FINAL_KINDS)
    ]
    return sorted(finals, key=lambda letter: letter.at)


def redress(case: Complaint) -> dict[str, Any]:
    """Return the case's redress ledger (offers, acceptances, payments, each with its approval),
    and the amount recorded with the response, for cases from before the ledger."""
    amount = case.redress_amount
    return {
        "entries": list(
            RedressEntry.objects.filter(complaint=case)
            .select_related("recorded_by", "approved_by")
            .order_by("on", "created_at", "pk")
        ),
        "amount": amount.quantize(Decimal("0.01")) if amount is not None else None,
        "currency": case.redress_currency,
    }
