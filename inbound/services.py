"""The one service both ways in feed: store the raw email once, then process it once."""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from complaints import casework, clock
from complaints.actors import SYSTEM, Actor
from complaints.choices import ActorKind, Channel
from complaints.exceptions import ComplaintError
from complaints.models import Attachment, Complaint, Message
from complaints.services import complaint_record_customer_reply, complaint_submit
from complaints.uploads import (
    CheckedFile,
    atomic_with_files,
    attachments_store,
    check_case_total,
    check_upload,
)
from inbound.classify import (
    Bounce,
    bounce_of,
    is_auto_reply,
    same_address,
    subject_reference,
)
from inbound.models import InboundEmail
from inbound.parsing import ParsedEmail, UnreadableEmail, dedupe_key, parse
from notifications.models import Notification
from notifications.services import notification_as_letter

logger = logging.getLogger(__name__)
S = InboundEmail.Status
# What acting on an email may change; saving only these leaves the raw bytes where they are.
PROCESSED_FIELDS = [
    "status",
    "note",
    "from_address",
    "subject",
    "complaint",
    "notification",
    "processed_at",
]


def inbound_email_process(*, raw: bytes, source: str, uid: str = "") -> InboundEmail:
    """Keep `raw` and act on it once: a complaint, a reply on its case, a hold, or nothing.

    Traps: the raw row is committed before anything else, so a crash half way leaves it
    `received` and the next poll (or a retried webhook) processes it again; a message already
    known by its Message-ID or mailbox UID is returned as it is, never processed twice.
    """
    return inbound_email_handle(inbound=inbound_email_store(raw=raw, source=source, uid=uid))


def inbound_email_handle(*, inbound: InboundEmail) -> InboundEmail:
    """Act once on a stored email that is still `received`; return its row as it ends up.

    Traps: the processing runs in one transaction that ends by moving the row on from
    `received` with a conditional update; if another process (a second poller, a retried
    webhook) moved it first, this one rolls back whatever it did, so it is done once. Whatever
    breaks other than the database leaves the email `unparseable` for a handler, not lost.
    """
    row = inbound
    if row.status != S.RECEIVED:
        return row
    try:
        with atomic_with_files() as stored:
            _handle(row, stored)
            row.processed_at = clock.now()
            # Waits for the other process's transaction, if any, then finds the row moved on.
            if not InboundEmail.objects.filter(pk=row.pk, status=S.RECEIVED).update(
                **{name: getattr(row, name) for name in PROCESSED_FIELDS}
            ):
                raise _ProcessedElsewhere
    except DatabaseError:
        raise
    except _ProcessedElsewhere:
        row.refresh_from_db()
    except Exception as exc:  # noqa: BLE001 - whatever broke, the email is kept for a handler.
        logger.exception("Inbound email %s could not be processed.", row.pk)
        InboundEmail.objects.filter(pk=row.pk, status=S.RECEIVED).update(
            status=S.UNPARSEABLE,
            note=f"{type(exc).__name__}: {exc}"[:2000],
            processed_at=clock.now(),
        )
        row.refresh_from_db()
    return row


class _ProcessedElsewhere(Exception):
    """Another process moved the email on from `received` while this one processed it."""


def inbound_email_store(*, raw: bytes, source: str, uid: str = "") -> InboundEmail:
    """Return the row for `raw`: the one already known by Message-ID or UID, or a new one."""
    key = dedupe_key(raw)
    known = Q(dedupe_key=key) | (Q(source=source, uid=uid) if uid else Q(pk__in=[]))
    row = InboundEmail.objects.filter(known).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return InboundEmail.objects.create(source=source, uid=uid, dedupe_key=key, raw=raw)
    except IntegrityError:
        # Another poller stored it a moment ago.
        return InboundEmail.objects.get(known)


def inbound_emails_store(*, emails: list[tuple[str, bytes]], source: str) -> list[InboundEmail]:
    """Return the row of each (uid, raw) in `emails`, as inbound_email_store does, storing the
    new ones together: one lookup, one insert and one commit for the lot.

    Traps: two emails of the lot with one Message-ID share the first one's row (a resend); if
    another poller stored one of them meanwhile, the insert fails as a whole and each is stored
    on its own instead.
    """
    keys = [dedupe_key(raw) for _uid, raw in emails]
    uids = [uid for uid, _raw in emails if uid]
    known = InboundEmail.objects.filter(Q(dedupe_key__in=keys) | Q(source=source, uid__in=uids))
    by_key = {row.dedupe_key: row for row in known}
    by_uid = {row.uid: row for row in by_key.values() if row.source == source and row.uid}
    rows: list[InboundEmail] = []
    new: list[InboundEmail] = []
    for (uid, raw), key in zip(emails, keys, strict=True):
        matches = [row for row in (by_key.get(key), by_uid.get(uid) if uid else None) if row]
        # The later stored of two, as .first() on -received_at picks (new in this lot: no pk yet).
        row = max(matches, key=lambda match: match.pk or math.inf) if matches else None
        if row is None:
            row = InboundEmail(source=source, uid=uid, dedupe_key=key, raw=raw)
            new.append(row)
            by_key[key] = row
        rows.append(row)
    if not new:
        return rows
    try:
        with transaction.atomic():
            InboundEmail.objects.bulk_create(new)
    except IntegrityError:
        return [inbound_email_store(raw=raw, source=source, uid=uid) for uid, raw in emails]
    return rows


def inbound_email_attach(*, inbound: InboundEmail, actor: Actor) -> Message:
    """Add a held email to its case as a message from the complainant, a handler's decision."""
    with atomic_with_files() as stored:
        row = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if row.status != S.HELD or row.complaint is None:
            raise ComplaintError(_("This email is not held for a case any more."))
        parsed = parse(bytes(row.raw), key=row.dedupe_key)
        message = _add_to_case(row, parsed, row.complaint, stored)
        row.status = S.ATTACHED
        row.save(update_fields=["status"])
        casework.record_event(
            message.complaint,
            "email_attached",
            actor,
            from_state=message.complaint.state,
            note=row.from_address,
            public=False,
        )
    return message


def inbound_email_discard(*, inbound: InboundEmail, actor: Actor) -> bool:
    """Set a held or unreadable email aside for good; return whether it was one."""
    with transaction.atomic():
        changed = InboundEmail.objects.filter(
            pk=inbound.pk, status__in=[S.HELD, S.UNPARSEABLE]
        ).update(status=S.DISCARDED)
        if changed and inbound.complaint_id:
            case = Complaint.objects.get(pk=inbound.complaint_id)
            casework.record_event(
                case,
                "email_discarded",
                actor,
                from_state=case.state,
                note=inbound.from_address,
                public=False,
            )
    return bool(changed)


def _handle(row: InboundEmail, stored: list[Attachment]) -> None:
    try:
        parsed = parse(bytes(row.raw), key=row.dedupe_key)
    except UnreadableEmail as exc:
        row.status, row.note = S.UNPARSEABLE, str(exc)[:2000]
        return
    row.from_address, row.subject = parsed.sender_address[:254], parsed.subject
    bounce = bounce_of(parsed)
    if bounce is not None:
        _record_bounce(row, bounce)
    elif is_auto_reply(parsed.message) or _is_ours(parsed.sender_address):
        # Answering a machine (or ourselves) starts a mail loop: nothing is created or sent.
        row.status = S.AUTO_REPLY
    else:
        case = _thread_case(parsed)
        if case is None:
            row.complaint = _new_complaint(parsed, stored)
            row.status = S.COMPLAINT
        elif not same_address(case.complainant_email, parsed.sender_address):
            _hold(
                row,
                case,
                _("The reply came from %(sender)s, not from the complainant's address.")
                % {"sender": parsed.sender_address},
            )
        elif not case.is_open:
            # A closed case is not reopened by an email: a handler reopens it and attaches this.
            _hold(row, case, _("The reply came after the case was closed."))
        else:
            _add_to_case(row, parsed, case, stored)
            row.complaint, row.status = case, S.ATTACHED


def _is_ours(address: str) -> bool:
    return any(
        same_address(address, ours)
        for ours in (settings.DEFAULT_FROM_EMAIL, settings.REDRESS_REPLY_TO_EMAIL)
    )


def _thread_case(parsed: ParsedEmail) -> Complaint | None:
    """Return the case this email answers: by our Message-ID it quotes, else by [REF]."""
    if parsed.thread_ids:
        notification = (
            Notification.objects.filter(message_id__in=parsed.thread_ids)
            .select_related("complaint")
            .first()
        )
        if notification is not None:
            return notification.complaint
    reference = subject_reference(parsed.subject)
    if reference:
        return Complaint.objects.filter(reference=reference).first()
    return None


def _new_complaint(parsed: ParsedEmail, stored: list[Attachment]) -> Complaint:
    description = "\n\n".join(part for part in (parsed.subject, parsed.text) if part)
    complaint = complaint_submit(
        channel=Channel.EMAIL,
        complainant_name=parsed.sender_name[:200],
        complainant_email=parsed.sender_address,
        description=description or _("(The email had no text.)"),
        language=parsed.language,
    )
    _store_files(complaint, parsed, stored, message=None)
    return complaint


def _add_to_case(
    row: InboundEmail, parsed: ParsedEmail, case: Complaint, stored: list[Attachment]
) -> Message:
    message = complaint_record_customer_reply(
        complaint=case,
        body=parsed.text or parsed.subject or _("(The email had no text.)"),
        channel=Channel.EMAIL,
        email_message_id=parsed.message_id,
    )
    _store_files(case, parsed, stored, message=message)
    return message


def _store_files(
    case: Complaint, parsed: ParsedEmail, stored: list[Attachment], *, message: Message | None
) -> None:
    """Store the attachments that pass the public site's checks; note the others on the case."""
    if not parsed.attachments:
        return
    kept = case.attachments.aggregate(total=Sum("size"), count=Count("pk"))
    already = kept["total"] or 0
    room = settings.REDRESS_UPLOAD_MAX_FILES - kept["count"]
    accepted: list[CheckedFile] = []
    refused: list[str] = []
    for name, data in parsed.attachments:
        try:
            checked = check_upload(SimpleUploadedFile(name, data))
            check_case_total([*accepted, checked], already=already)
            if len(accepted) >= room:
                raise ValidationError(
                    _("“%(name)s”: a complaint may hold at most %(count)d files.")
                    % {"name": checked.original_name, "count": settings.REDRESS_UPLOAD_MAX_FILES}
                )
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
            continue
        accepted.append(checked)
    stored.extend(
        attachments_store(
            complaint=case, files=accepted, uploaded_by=ActorKind.COMPLAINANT, message=message
        )
    )
    if refused:
        note = _("Attachments of an email were not kept:") + "\n" + "\n".join(refused)
        casework.record_event(
            case, "attachment_refused", SYSTEM, from_state=case.state, note=note, public=False
        )


def _hold(row: InboundEmail, case: Complaint, reason: str) -> None:
    row.complaint, row.status, row.note = case, S.HELD, reason
    casework.record_event(
        case, "email_held", SYSTEM, from_state=case.state, note=reason, public=False
    )


def _record_bounce(row: InboundEmail, bounce: Bounce) -> None:
    row.status, row.note = S.BOUNCE, bounce.diagnostic
    notification = (
        Notification.objects.filter(message_id__in=bounce.original_ids)
        .select_related("complaint")
        .first()
        if bounce.original_ids
        else None
    )
    if notification is None:
        return  # a report on mail we did not send, or without the original: kept, nothing to do
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED, last_error=bounce.diagnostic
    )
    case = notification.complaint
    row.notification, row.complaint = notification, case
    casework.record_event(
        case,
        "delivery_failed",
        SYSTEM,
        from_state=case.state,
        note=_("%(kind)s to %(recipient)s bounced: %(diagnostic)s")
        % {
            "kind": notification.get_kind_display(),
            "recipient": notification.recipient,
            "diagnostic": bounce.diagnostic,
        },
        public=False,
    )
    # The complainant is still owed what bounced: it becomes a letter for the handler to post.
    notification_as_letter(notification=notification)
