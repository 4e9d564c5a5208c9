"""Reading a raw email: sender, subject, text (plain preferred, HTML made text), attachments."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any, cast

from django.conf import settings

BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
HIDDEN_TAGS = {"script", "style", "head", "title", "template", "noscript"}
MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


class _HeadersParsedOnce(policy.EmailPolicy):
    """policy.default, parsing each header of the message once instead of at every read: a
    part's Content-Type is read a dozen times while a message is taken apart. One per message,
    so nothing of one email is kept past it."""

    _parsed: dict[tuple[str, str], Any]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        object.__setattr__(self, "_parsed", {})  # policies refuse attributes set the usual way

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        parsed = self._parsed.get((name, value))
        if parsed is None:
            parsed = self._parsed[(name, value)] = super().header_fetch_parse(name, value)
        return parsed


class UnreadableEmail(ValueError):
    """The bytes are not an email we can read; the row is kept for a handler."""


@dataclass
class ParsedEmail:
    message: EmailMessage
    message_id: str
    sender_address: str
    sender_name: str
    subject: str
    text: str
    language: str
    thread_ids: list[str] = field(default_factory=list)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def dedupe_key(raw: bytes) -> str:
    """Return the message's Message-ID, or a digest of its bytes when it has none."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        found = MESSAGE_ID.search(str(headers.get("Message-ID", "")))
    except Exception:  # noqa: BLE001 - whatever the bytes are, they get a key and are kept.
        found = None
    if found:
        return found.group(0)[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, *, key: str = "") -> ParsedEmail:
    """Return the parts of `raw` that Redress uses, or raise UnreadableEmail saying why.

    `key` is dedupe_key(raw) when the caller has it already (the stored row's)."""
    try:
        # The policy's message class is EmailMessage, as policy.default's.
        message = cast(EmailMessage, BytesParser(policy=_HeadersParsedOnce()).parsebytes(raw))
        if not message.keys():
            raise UnreadableEmail("No email headers.")
        name, address = parseaddr(str(message.get("From", "")))
        if "@" not in address:
            raise UnreadableEmail("No sender address in From.")
        body = message.get_body(preferencelist=("plain", "html"))
        return ParsedEmail(
            message=message,
            message_id=key or dedupe_key(raw),
            sender_address=address,
            sender_name=name.strip() or address.partition("@")[0],
            subject=" ".join(str(message.get("Subject", "")).split())[:255],
            text=_body_text(body) if body is not None else "",
            language=_language(message),
            thread_ids=_thread_ids(message),
            attachments=list(_attachments(message, body)),
        )
    except UnreadableEmail:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile message can break the parser anywhere.
        raise UnreadableEmail(f"{type(exc).__name__}: {exc}") from exc


def html_to_text(html: str) -> str:
    """Return the readable text of `html`, without script, style or markup."""
    converter = _TextFromHtml()
    converter.feed(html)
    converter.close()
    lines = (" ".join(line.split()) for line in "".join(converter.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def part_text(part: MIMEPart) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, AssertionError):
        # An unknown or lying charset: keep what can be read rather than lose the message.
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _body_text(body: MIMEPart) -> str:
    text = part_text(body)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip()


def _language(message: EmailMessage) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for header in ("Content-Language", "Accept-Language"):
        value = str(message.get(header, "")).strip().lower()
        primary = re.split(r"[-_,;\s]", value, maxsplit=1)[0]
        if primary in codes:
            return primary
    return ""  # none stated: the complaint's policy decides


def _thread_ids(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for header in ("In-Reply-To", "References"):
        for value in message.get_all(header, []):
            found.extend(MESSAGE_ID.findall(str(value)))
    return found


def _attachments(message: EmailMessage, body: MIMEPart | None):
    """Yield (file name, bytes) for every part that is not the body text."""
    count = 0
    for part in _leaf_parts(message):
        if part is body:
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if part.get_content_maintype() == "text" and disposition != "attachment" and not filename:
            continue  # the other alternative of the body, or a text signature part
        count += 1
        if part.get_content_type() == "message/rfc822":
            data = part.get_payload(0).as_bytes()
        else:
            data = part.get_payload(decode=True) or b""
        yield (filename or f"attachment-{count}", data)


def _leaf_parts(message: MIMEPart):
    # A forwarded email (message/rfc822) is one attachment, not parts of this message.
    if message.is_multipart() and message.get_content_type() != "message/rfc822":
        for part in message.iter_parts():
            yield from _leaf_parts(part)
    else:
        yield message


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)
