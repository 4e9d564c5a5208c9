"""The outbox's periodic job: send what is pending and due; one batch a run, returns a count."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

# A module, not names: the services import the tasks, which import this module.
from notifications import services
from notifications.models import Notification

BATCH = 500
# A row the web request queued gets this long to be sent by its own task before a sweep steps in.
GRACE = dt.timedelta(minutes=1)


def notifications_dispatch(*, batch: int = BATCH) -> int:
    """Send pending notifications that are due (index notification_pending); reclaim stuck ones."""
    now = timezone.now()
    stuck_since = now - dt.timedelta(seconds=settings.REDRESS_NOTIFICATION_SENDING_TIMEOUT)
    # Index notification_sending: a worker died between claiming and finishing.
    Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=stuck_since
    ).update(status=Notification.Status.PENDING, next_attempt_at=now)
    due = (
        Notification.objects.filter(
            status=Notification.Status.PENDING, channel=Notification.Channel.EMAIL
        )
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - GRACE)
        )
        .order_by()
        .values_list("pk", flat=True)[:batch]
    )
    # notification_deliver claims each row with a conditional update, so a concurrent sweep or
    # task that got there first makes it return False here.
    return sum(services.notification_deliver(notification_id=pk) for pk in list(due))
