"""The IMAP poll: a beat job that reads unseen mail from REDRESS_IMAP_URL and processes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessageFlags,
)

from inbound.models import InboundEmail
from inbound.services import inbound_email_handle, inbound_emails_store

BATCH = 500
# Messages fetched per IMAP command, and marked seen together once processed.
CHUNK = 100
SCHEMES = {"imap": MailBoxUnencrypted, "imaps": MailBox, "imap+starttls": MailBoxStartTls}
FETCHED_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class Mailbox:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        """Read imap://user:pass@host:143/INBOX (imaps:// for TLS, imap+starttls:// too)."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(
                f"REDRESS_IMAP_URL must look like imaps://user:pass@host/INBOX, not {url!r}."
            )
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )

    @property
    def source(self) -> str:
        return f"imap:{self.user}@{self.host}/{self.folder}"[:200]

    def open(self) -> BaseMailBox:
        box = SCHEMES[self.scheme](self.host, port=self.port, timeout=60)
        return box.login(self.user, self.password, initial_folder=self.folder)


def inbound_poll(*, batch: int = BATCH, share: int = 0, shares: int = 1) -> int:
    """Process up to `batch` unseen messages of the mailbox, each once; return how many.

    With `shares` above 1, only the messages whose UID leaves `share` when divided by `shares`:
    that many pollers at once (one per worker process, inbound.tasks.poll_inbound_mail) each
    take their own part of the mailbox instead of all reading the same messages.

    Traps: a message is marked seen only after its row committed, so a poll that dies half way
    leaves the rest unseen; the next poll skips the ones the database already knows by UID
    (marking them seen then) and processes the others, a half-processed one included. The raw
    rows of a chunk are committed together before the first of them is processed.
    """
    if not settings.REDRESS_IMAP_URL:
        return 0
    mailbox = Mailbox.from_url(settings.REDRESS_IMAP_URL)
    with mailbox.open() as box:
        validity = box.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"]
        uids = [uid for uid in box.uids(AND(seen=False)) if int(uid) % shares == share][:batch]
        for start in range(0, len(uids), CHUNK):
            chunk = uids[start : start + CHUNK]
            keys = {f"{validity}:{uid}": uid for uid in chunk}
            done = set(
                InboundEmail.objects.filter(source=mailbox.source, uid__in=keys)
                .exclude(status=InboundEmail.Status.RECEIVED)
                .values_list("uid", flat=True)
            )
            fetched = _fetch(box, [uid for key, uid in keys.items() if key not in done])
            rows = inbound_emails_store(
                emails=[(f"{validity}:{uid}", raw) for uid, raw in fetched], source=mailbox.source
            )
            for row in rows:
                inbound_email_handle(inbound=row)
            box.flag(chunk, MailMessageFlags.SEEN, True)
    return len(uids)


def _fetch(box: BaseMailBox, uids: list[str]) -> Iterator[tuple[str, bytes]]:
    """Yield (uid, raw bytes) without setting \\Seen: that waits until the row commits."""
    if not uids:
        return
    status, data = box.client.uid("FETCH", ",".join(uids), "(UID BODY.PEEK[])")
    if status != "OK":
        raise OSError(f"IMAP FETCH failed: {status} {data!r}")
    for item in data:
        if isinstance(item, tuple):
            found = FETCHED_UID.search(item[0])
            if found:
                yield found.group(1).decode(), item[1]
