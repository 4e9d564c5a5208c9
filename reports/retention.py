"""Retention: once a closed case is past its policy's retention period, its personal data goes.

What goes: names, contact details, the account identifier, every free text (the description,
earlier contact, desired outcome, the response's findings, actions and reasoning, the
satisfaction comment, message bodies, escalation grounds and decisions' text, timeline notes,
extension reasons, notification addresses and contexts), the attachments (rows and files), and
the same fields in the django-simple-history rows. What stays: the anonymous figures (state,
dates, category, channel, outcome, redress, remedies, rating, business-day durations), so an
anonymised case still counts in the dashboard and the data return. A policy without a retention
promise keeps personal data until someone sets one.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from complaints import casework
from complaints.actors import SYSTEM
from complaints.choices import TargetKind
from complaints.clock import Unit
from complaints.models import (
    CONTACT_FIELDS,
    RESPONSE_TEXT_FIELDS,
    STATEMENT_FIELDS,
    Attachment,
    Complaint,
    ComplaintEvent,
    ComplaintPolicy,
    DeadlineExtension,
    Message,
)
from escalations.models import Escalation
from inbound.models import InboundEmail
from notifications.models import Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
COMPLAINT_PERSONAL_FIELDS = [
    *CONTACT_FIELDS,
    *STATEMENT_FIELDS,
    *RESPONSE_TEXT_FIELDS,
    "satisfaction_comment",
]
MESSAGE_PERSONAL_FIELDS = ["body", "email_message_id"]
ESCALATION_PERSONAL_FIELDS = ["grounds", "desired_outcome", "reasoning", "final_response"]


def complaints_anonymise_due(now: dt.datetime, *, limit: int = BATCH_SIZE) -> int:
    """Anonymise up to `limit` closed cases past their retention period; return how many."""
    done = 0
    policies = ComplaintPolicy.objects.filter(targets__kind=TargetKind.RETENTION).prefetch_related(
        "targets"
    )
    for policy in policies:
        target = policy.target(TargetKind.RETENTION)
        calendar = policy.calendar()
        # A bound no later than the true cutoff whatever the unit (a business day is at least a
        # calendar day, a wall-clock day at least 23 hours); the clock decides each candidate.
        slack = dt.timedelta(hours=target.amount) if target.unit == Unit.HOURS else None
        bound = now - (slack or dt.timedelta(days=max(target.amount - 1, 0)))
        candidates = (
            Complaint.objects.filter(
                policy=policy,
                closed_at__isnull=False,
                closed_at__lt=bound,
                anonymised_at__isnull=True,
            )
            .order_by("closed_at")
            .values_list("pk", "closed_at")[: limit - done]
        )
        for pk, closed_at in candidates:
            if calendar.add(closed_at, target.amount, target.unit) >= now:
                break  # ordered by closure: every later candidate is younger still
            done += complaint_anonymise(complaint_id=pk, now=now)
        if done >= limit:
            break
    return done


def complaint_anonymise(*, complaint_id: int, now: dt.datetime) -> bool:
    """Remove the personal data of one case and of its history; return False if already done.

    Traps: files are deleted only once the transaction commits, so a rollback loses none; the
    case is saved (not updated) so that its history records the anonymisation, then every
    earlier historical row is scrubbed too.
    """
    with transaction.atomic():
        case = (
            Complaint.objects.select_for_update()
            .filter(pk=complaint_id, anonymised_at__isnull=True)
            .first()
        )
        if case is None:
            return False
        files = list(
            Attachment.objects.filter(complaint=case)
            .exclude(file="")
            .values_list("file", flat=True)
        )
        Attachment.objects.filter(complaint=case).delete()
        transaction.on_commit(lambda: delete_files(files))

        complaint_blanks = dict.fromkeys(COMPLAINT_PERSONAL_FIELDS, "")
        message_blanks = dict.fromkeys(MESSAGE_PERSONAL_FIELDS, "")
        escalation_blanks = dict.fromkeys(ESCALATION_PERSONAL_FIELDS, "")
        Message.objects.filter(complaint=case).update(**message_blanks)
        Message.history.filter(complaint_id=case.pk).update(**message_blanks)
        Escalation.objects.filter(complaint=case).update(**escalation_blanks)
        Escalation.history.filter(complaint_id=case.pk).update(**escalation_blanks)
        ComplaintEvent.objects.filter(complaint=case).update(note="")
        DeadlineExtension.objects.filter(complaint=case).update(reason="")
        Notification.objects.filter(complaint=case).update(
            recipient="", subject="", context={}, last_error=""
        )
        # inbound email: the raw messages are personal data too.
        InboundEmail.objects.filter(complaint=case).update(
            raw=b"", from_address="", subject="", note=""
        )

        for name, blank in complaint_blanks.items():
            setattr(case, name, blank)
        case.tracking_token = secrets.token_urlsafe(32)
        case.anonymised_at = now
        case.save(
            update_fields=[*complaint_blanks, "tracking_token", "anonymised_at", "updated_at"]
        )
        Complaint.history.filter(id=case.pk).update(**complaint_blanks)
        casework.record_event(case, "anonymised", SYSTEM, from_state=case.state, public=False)
    return True


def delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row is gone either way; an unreachable file is logged for an operator to remove.
            logger.exception("Could not delete the attachment file %s.", name)


def inbound_emails_purge_unlinked(now: dt.datetime, *, limit: int = BATCH_SIZE) -> int:
    """Blank inbound mail that belongs to no case once it is older than the setting allows.

    Auto-replies, unmatched bounces, unreadable and discarded mail never reach a complaint, so
    no policy's retention covers them; REDRESS_INBOUND_UNLINKED_RETENTION_DAYS does.
    """
    cutoff = now - dt.timedelta(days=settings.REDRESS_INBOUND_UNLINKED_RETENTION_DAYS)
    # Only rows still holding data, so that the cost follows what is left to purge.
    due = list(
        InboundEmail.objects.filter(complaint__isnull=True, received_at__lt=cutoff)
        .exclude(status__in=[InboundEmail.Status.RECEIVED, InboundEmail.Status.HELD])
        .exclude(from_address="", subject="", note="")
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    return InboundEmail.objects.filter(pk__in=due).update(
        raw=b"", from_address="", subject="", note=""
    )
