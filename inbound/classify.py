"""What kind of email this is: an automatic reply, a bounce, a reply on a case, or a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.utils import parseaddr

from complaints import references
from inbound.parsing import MESSAGE_ID, ParsedEmail, part_text

AUTO_SUBMITTED_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply"}
AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto:|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|away from)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
SUBJECT_REFERENCE = re.compile(r"\[\s*([0-9A-Za-z]{3}-?[0-9A-Za-z]{3}-?[0-9A-Za-z]{3})\s*\]")
DIAGNOSTIC_LENGTH = 1000


@dataclass(frozen=True)
class Bounce:
    """A delivery report: the Message-IDs it reports on and what the receiving server said."""

    original_ids: list[str]
    diagnostic: str


def is_auto_reply(message: EmailMessage) -> bool:
    """Return whether a machine wrote `message` in answer to ours (RFC 3834 and common forms)."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if any(message.get(header) for header in AUTO_SUBMITTED_HEADERS):
        return True
    if str(message.get("Precedence", "")).strip().lower() in AUTO_PRECEDENCE:
        return True
    return bool(AUTO_SUBJECT.match(str(message.get("Subject", ""))))


def bounce_of(parsed: ParsedEmail) -> Bounce | None:
    """Return the bounce `parsed` is (RFC 3464 or a mailer daemon's text), or None."""
    message = parsed.message
    is_report = (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )
    from_daemon = parsed.sender_address.partition("@")[0].lower() in BOUNCE_SENDERS
    if not (is_report or from_daemon):
        return None
    return Bounce(original_ids=_original_ids(parsed), diagnostic=_diagnostic(parsed))


def subject_reference(subject: str) -> str:
    """Return the compact reference in `[K7Q-M4X-H9P]`, if its check symbol is right."""
    for candidate in SUBJECT_REFERENCE.findall(subject):
        if references.is_valid(candidate):
            return references.normalise(candidate)
    return ""


def same_address(one: str, other: str) -> bool:
    return bool(one) and parseaddr(one)[1].casefold() == parseaddr(other)[1].casefold()


def _original_ids(parsed: ParsedEmail) -> list[str]:
    found: list[str] = []
    for part in parsed.message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            original = part.get_payload(0)
            if isinstance(original, Message):
                found.extend(MESSAGE_ID.findall(str(original.get("Message-ID", ""))))
        elif content_type == "text/rfc822-headers":
            headers = HeaderParser().parsestr(part_text(part), headersonly=True)
            found.extend(MESSAGE_ID.findall(str(headers.get("Message-ID", ""))))
    if not found:
        # A daemon that quotes the original in its text: every Message-ID header line there.
        text = parsed.message.as_string()
        for line in re.findall(r"(?im)^\s*Message-ID:\s*(\S+)", text):
            found.extend(MESSAGE_ID.findall(line))
    return [found_id for found_id in found if found_id != parsed.message_id]


def _diagnostic(parsed: ParsedEmail) -> str:
    lines: list[str] = []
    for part in parsed.message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            for name in ("Final-Recipient", "Action", "Status", "Diagnostic-Code"):
                value = block.get(name)
                if value:
                    lines.append(f"{name}: {' '.join(str(value).split())}")
    text = "\n".join(lines) or parsed.text
    return text[:DIAGNOSTIC_LENGTH] or "Delivery failed (no diagnostic in the report)."
