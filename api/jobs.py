"""The webhook sweeps of the beat schedule. Each handles one batch and returns how many it did.

complaints knows nothing of webhooks: it writes a timeline entry (ComplaintEvent) for every
step, and the collecting sweep reads them from a stored cursor, writes a WebhookEvent per entry
and a WebhookDelivery per interested endpoint, and queues their sending when that commits.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from api.models import (
    ApiSubmission,
    EventKind,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from api.webhooks import queue_deliveries, webhook_delivery_send
from complaints import clock
from complaints.models import Complaint, ComplaintEvent

BATCH = 500
DELIVERY_BATCH = 100
# Timeline entries are written with the time they happen but become visible when their
# transaction commits, possibly after a later one: the sweep rereads this far behind its cursor
# (and skips entries it has already written an event for), so a late commit is never missed.
OVERLAP = dt.timedelta(minutes=10)
# How far back a breach still becomes an event (as the deadline alerts: beat down longer loses it).
BREACH_LOOKBACK = dt.timedelta(days=2)
# A delivery left "sending" this long had its worker die: it is sent again (same webhook-id).
SENDING_TIMEOUT = dt.timedelta(minutes=10)

KINDS_BY_ACTION = {
    "received": [EventKind.RECEIVED],
    "acknowledge": [EventKind.ACKNOWLEDGED],
    "request_information": [EventKind.INFORMATION_REQUESTED],
    "record_customer_reply": [EventKind.CUSTOMER_REPLIED],
    "customer_message": [EventKind.CUSTOMER_REPLIED],
    "respond": [EventKind.RESPONDED],
    "escalate": [EventKind.ESCALATED],
    "close_escalation": [EventKind.REVIEW_DECIDED, EventKind.RESOLVED],
    "resolve": [EventKind.RESOLVED],
    "withdraw": [EventKind.WITHDRAWN],
    # A duplicate merged into its original is closed through the withdrawal (complaints.related).
    "merged": [EventKind.WITHDRAWN],
}
TIMELINE_CURSOR = "timeline"
BREACH_CURSOR = "breaches"


def until_done(job, *, batch: int = BATCH) -> int:
    """Run `job` batch after batch until one comes back short; return the total done."""
    total = done = job(batch=batch)
    while done >= batch:
        done = job(batch=batch)
        total += done
    return total


def webhook_events_collect(*, batch: int = BATCH) -> int:
    """Turn new timeline entries into webhook events and deliveries; return the entries read."""
    now = clock.now()
    with transaction.atomic():
        # The cursor's row lock lets one collecting sweep run at a time.
        cursor, _created = WebhookCursor.objects.select_for_update().get_or_create(
            name=TIMELINE_CURSOR
        )
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        if not endpoints:
            # Nobody listens: events from before an endpoint exists are never sent to it.
            cursor.position = now
            cursor.save(update_fields=["position"])
            return 0
        since = cursor.position or min(endpoint.created_at for endpoint in endpoints)
        entries = list(
            ComplaintEvent.objects.filter(
                action__in=list(KINDS_BY_ACTION), created_at__gt=since - OVERLAP
            )
            .exclude(Exists(WebhookEvent.objects.filter(source=OuterRef("pk"))))
            .order_by("created_at", "pk")[:batch]
        )
        events = WebhookEvent.objects.bulk_create(
            WebhookEvent(
                kind=kind,
                complaint_id=entry.complaint_id,
                source=entry,
                occurred_at=entry.created_at,
                from_state=entry.from_state,
                to_state=entry.to_state,
            )
            for entry in entries
            for kind in KINDS_BY_ACTION[entry.action]
        )
        _fan_out(events, endpoints)
        if len(entries) == batch:
            cursor.position = entries[-1].created_at
        else:
            cursor.position = max(cursor.position or since, now - OVERLAP)
        cursor.save(update_fields=["position"])
    return len(entries)


def webhook_breaches_collect(*, batch: int = BATCH) -> int:
    """Write an event for each open case whose next deadline passed (index
    complaint_open_deadline), once per deadline; return how many."""
    now = clock.now()
    with transaction.atomic():
        # One breach sweep at a time (the cursor row's lock), so each breach is written once.
        WebhookCursor.objects.select_for_update().get_or_create(name=BREACH_CURSOR)
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(is_active=True)
            if EventKind.DEADLINE_BREACHED in endpoint.kinds
        ]
        if not endpoints:
            return 0
        breached = (
            Complaint.objects.open()
            .filter(next_deadline__lt=now, next_deadline__gt=now - BREACH_LOOKBACK)
            .exclude(
                Exists(
                    WebhookEvent.objects.filter(
                        complaint=OuterRef("pk"), deadline_at=OuterRef("next_deadline")
                    )
                )
            )
            .order_by()
            .values("pk", "state", "next_deadline", "next_deadline_kind")[:batch]
        )
        events = WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(
                    kind=EventKind.DEADLINE_BREACHED,
                    complaint_id=case["pk"],
                    occurred_at=case["next_deadline"],
                    from_state=case["state"],
                    to_state=case["state"],
                    deadline_kind=case["next_deadline_kind"],
                    deadline_at=case["next_deadline"],
                )
                for case in breached
            ]
        )
        _fan_out(events, endpoints)
    return len(events)


def _fan_out(events: list[WebhookEvent], endpoints: list[WebhookEndpoint]) -> list[int]:
    now = clock.now()
    owners: dict[int, int] = {}
    if any(endpoint.client_id for endpoint in endpoints):
        owners = dict(
            ApiSubmission.objects.filter(
                complaint_id__in={event.complaint_id for event in events}
            ).values_list("complaint_id", "client_id")
        )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
        for event in events
        for endpoint in endpoints
        if _wants(endpoint, event, owners)
    )
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: queue_deliveries(ids))
    return ids


def _wants(endpoint: WebhookEndpoint, event: WebhookEvent, owners: dict[int, int]) -> bool:
    """Whether the endpoint hears of the event: its kind, after it was registered (any breach),
    and, for a client's endpoint, only of that client's complaints."""
    if event.kind not in endpoint.kinds:
        return False
    if event.kind != EventKind.DEADLINE_BREACHED and event.occurred_at < endpoint.created_at:
        return False
    return endpoint.client_id is None or owners.get(event.complaint_id) == endpoint.client_id


def webhook_deliveries_dispatch(*, batch: int = DELIVERY_BATCH) -> int:
    """Send the deliveries that are due (index api_webhook_pending); reclaim stuck ones."""
    now = clock.now()
    # Index api_webhook_sending: a worker died between claiming and finishing.
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(webhook_delivery_send(delivery_id=pk) for pk in due)


def idempotency_keys_expire(*, batch: int = BATCH) -> int:
    """Forget idempotency keys older than the retry window (index api_idempotency_kept).

    A client chooses its keys and may put an order number in them: they are kept only as long
    as a retry is plausible, not for the life of the complaint.
    """
    cutoff = clock.now() - dt.timedelta(days=settings.REDRESS_IDEMPOTENCY_KEY_DAYS)
    expired = list(
        ApiSubmission.objects.filter(created_at__lt=cutoff)
        .exclude(idempotency_key="")
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    return ApiSubmission.objects.filter(pk__in=expired).update(idempotency_key="", fingerprint="")
