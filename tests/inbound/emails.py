"""Emails as they reach the mailbox: from complainants, their mail programs and mail servers."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import make_msgid

from PIL import Image


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def email(
    *,
    sender: str = "Rosa Diaz <rosa@example.com>",
    subject: str = "Charged twice",
    text: str | None = "I was charged twice for order 1234.",
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "complaints@acme.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    for name, value in (headers or {}).items():  # after the content, which resets Content-*
        message[name] = value
    return message.as_bytes()


def delivery_report(*, original_message_id: str, recipient: str = "rosa@example.com") -> bytes:
    """An RFC 3464 bounce as Postfix writes it, quoting the headers of our message."""
    return f"""\
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: complaints@acme.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <20260302100500.ABC123@mx.example.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: Acme complaints <complaints@acme.example>
To: {recipient}
Subject: [K7Q-M4X-H9P] We have received your complaint
Message-ID: {original_message_id}

--BOUNDARY--
""".replace("\n", "\r\n").encode()
