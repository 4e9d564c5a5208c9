"""Retention of inbound email: the raw messages are personal data like the case they belong to.

A case's emails are blanked with the case (complaints.retention calls
`inbound_emails_erase`, registered by InboundConfig.ready). Mail that belongs to no case
(auto-replies, unmatched bounces, unreadable and discarded mail) reaches no policy's retention,
so REDRESS_INBOUND_UNLINKED_RETENTION_DAYS bounds it instead.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from complaints import clock
from inbound.models import InboundEmail

BATCH = 500
BLANKS = {"raw": b"", "from_address": "", "subject": "", "note": ""}


def inbound_emails_erase(*, complaint_id: int) -> int:
    """Blank the emails of one case being anonymised; return how many."""
    return InboundEmail.objects.filter(complaint_id=complaint_id).update(**BLANKS)


def inbound_emails_purge_unlinked(*, batch: int = BATCH) -> int:
    """Blank a batch of inbound mail that belongs to no case and is past its period."""
    cutoff = clock.now() - dt.timedelta(days=settings.REDRESS_INBOUND_UNLINKED_RETENTION_DAYS)
    # Only rows still holding data, so that the cost follows what is left to purge.
    due = list(
        InboundEmail.objects.filter(complaint__isnull=True, received_at__lt=cutoff)
        .exclude(status__in=[InboundEmail.Status.RECEIVED, InboundEmail.Status.HELD])
        .exclude(from_address="", subject="", note="")
        .order_by("received_at")
        .values_list("pk", flat=True)[:batch]
    )
    return InboundEmail.objects.filter(pk__in=due).update(**BLANKS)
