"""The outbox: a Notification row is written with the change that causes it, sent on commit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction

from notifications.models import Notification

if TYPE_CHECKING:
    from complaints.models import Complaint

logger = logging.getLogger(__name__)


def notification_enqueue(
    *,
    complaint: Complaint,
    kind: str,
    recipient: str,
    dedupe_key: str,
    language: str = "en",
    recipient_user=None,
    context: dict | None = None,
) -> Notification:
    """Write the notification once per `dedupe_key`; queue its sending when the change commits."""
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "complaint": complaint,
            "kind": kind,
            "recipient": recipient,
            "recipient_user": recipient_user,
            "language": language,
            "context": context or {},
        },
    )
    if created:
        transaction.on_commit(lambda: _send_soon(notification.pk))
    return notification


def _send_soon(notification_id: int) -> None:
    from notifications.tasks import notification_send

    try:
        notification_send.delay(notification_id)
    except Exception:  # noqa: BLE001
        # The broker is down: the row stays pending and the dispatch sweep sends it later.
        logger.warning("Could not queue notification %s; the sweep will send it.", notification_id)
