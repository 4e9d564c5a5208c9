"""Retention: once a closed case is past its policy's retention period, its personal data goes.

What goes: names, contact details, the account identifier, every free text (the description,
earlier contact, desired outcome, the response's findings, actions and reasoning, the
satisfaction comment, message bodies, escalation grounds and decisions' text, timeline notes,
a vulnerability's handling notes and other adjustments, the redress ledger's notes,
extension reasons, notification addresses and contexts), the attachments (rows and files), and
the same fields in the django-simple-history rows. What stays: the anonymous figures (state,
dates, category, channel, outcome, redress, remedies, rating, business-day durations), so an
anonymised case still counts in the dashboard and the data return. A policy without a retention
promise keeps personal data until someone sets one.

Apps above complaints keep personal data of a case too (escalations its grounds and decisions,
inbound the raw emails). complaints may not import them, so each registers an eraser here from
its AppConfig.ready (`eraser_register`), and the anonymisation calls every one in its
transaction with the case's id.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction

from complaints import casework, clock, ledger, rulepacks, vulnerability
from complaints.actors import SYSTEM
from complaints.choices import TargetKind
from complaints.models import (
    CONTACT_FIELDS,
    RESPONSE_TEXT_FIELDS,
    STATEMENT_FIELDS,
    Attachment,
    CaseAccess,
    Complaint,
    ComplaintEvent,
    ComplaintPolicy,
    DeadlineExtension,
    Message,
)
from notifications.models import Notification

logger = logging.getLogger(__name__)

BATCH = 500
COMPLAINT_PERSONAL_FIELDS = [
    *CONTACT_FIELDS,
    *STATEMENT_FIELDS,
    *RESPONSE_TEXT_FIELDS,
    "satisfaction_comment",
]
MESSAGE_PERSONAL_FIELDS = ["body", "email_message_id"]

# Called as eraser(complaint_id=...) inside the anonymisation's transaction.
Eraser = Callable[..., object]
_erasers: list[Eraser] = []


def eraser_register(eraser: Eraser) -> None:
    """Have `eraser(complaint_id=...)` blank an upper app's personal data of each case erased."""
    if eraser not in _erasers:
        _erasers.append(eraser)


def complaints_anonymise_due(*, batch: int = BATCH) -> int:
    """Anonymise a batch of closed cases past their retention period; return how many."""
    now = clock.now()
    done = 0
    policies = ComplaintPolicy.objects.filter(targets__kind=TargetKind.RETENTION).prefetch_related(
        "targets"
    )
    for policy in policies:
        target = policy.target(TargetKind.RETENTION)
        if target is None:
            continue
        # Whatever an old row says, a rule pack's minimum holds (DISP 1.9.1R: three years).
        minimum = rulepacks.min_retention_days(policy)
        if minimum and rulepacks.days_at_least(target.amount, target.unit) < minimum:
            target = clock.Target(amount=minimum, unit=clock.Unit.CALENDAR_DAYS)
        calendar = policy.calendar()
        # The index narrows to the cases that may be due; the calendar decides each one.
        bound = clock.latest_start_passed(target.amount, target.unit, now)
        candidates = (
            Complaint.objects.filter(
                policy=policy,
                closed_at__isnull=False,
                closed_at__lt=bound,
                anonymised_at__isnull=True,
            )
            .order_by("closed_at")
            .values_list("pk", "closed_at")[: batch - done]
        )
        for pk, closed_at in candidates:
            if calendar.add(closed_at, target.amount, target.unit) >= now:
                break  # ordered by closure: every later candidate is younger still
            done += complaint_anonymise(complaint_id=pk, now=now)
        if done >= batch:
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
        Message.objects.filter(complaint=case).update(**message_blanks)
        Message.history.filter(complaint_id=case.pk).update(**message_blanks)
        ComplaintEvent.objects.filter(complaint=case).update(note="")
        # The access log is kept as long as the case's records, and goes with them.
        CaseAccess.objects.filter(complaint=case).delete()
        DeadlineExtension.objects.filter(complaint=case).update(reason="")
        Notification.objects.filter(complaint=case).update(
            recipient="", subject="", context={}, last_error=""
        )
        # The vulnerability's notes and adjustments, the ledger's notes: their figures stay.
        vulnerability.vulnerability_erase(complaint_id=case.pk)
        ledger.ledger_erase(complaint_id=case.pk)
        for eraser in _erasers:
            eraser(complaint_id=case.pk)

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
