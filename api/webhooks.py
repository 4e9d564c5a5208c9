"""Webhooks out: the payload of an event, its Standard Webhooks signature, and one delivery.

Signature (https://www.standardwebhooks.com): the secret is `whsec_` and base64 of the key
bytes; each request carries `webhook-id` (the same on every retry of one delivery, for the
receiver to drop duplicates), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature`: `v1,` and base64 of HMAC-SHA256(key, f"{id}.{timestamp}.{body}").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q

from api.models import PersonalData, WebhookDelivery, WebhookEndpoint, WebhookEvent
from complaints import clock

logger = logging.getLogger(__name__)
USER_AGENT = "Redress-Webhooks/1"


def signing_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(event: WebhookEvent, endpoint: WebhookEndpoint) -> dict:
    """Return the event as JSON data, with as much personal data as the endpoint may have."""
    complaint = event.complaint
    data: dict = {
        "event_id": event.event_id,
        "reference": complaint.display_reference,
        "state": event.to_state or complaint.state,
        "previous_state": event.from_state or None,
        "channel": complaint.channel,
        "occurred_at": event.occurred_at,
        "expected": {
            "acknowledge_by": complaint.acknowledge_by,
            "first_response_by": complaint.respond_by,
            "full_response_by": complaint.resolve_by,
        },
    }
    if event.deadline_at is not None:
        data["deadline"] = {"kind": event.deadline_kind, "due_at": event.deadline_at}
    if endpoint.personal_data in (PersonalData.ACCOUNT, PersonalData.CONTACT):
        data["account_identifier"] = complaint.account_identifier
    if endpoint.personal_data == PersonalData.CONTACT:
        data["complainant"] = {
            "name": complaint.complainant_name,
            "email": complaint.complainant_email,
            "language": complaint.language,
        }
    return {"type": event.kind, "timestamp": event.occurred_at, "data": data}


def body_of(event: WebhookEvent, endpoint: WebhookEndpoint) -> bytes:
    return json.dumps(
        payload(event, endpoint), cls=DjangoJSONEncoder, separators=(",", ":")
    ).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer other than 2xx: the delivery is retried, never re-sent elsewhere.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the HTTP status; raise OSError when the endpoint cannot be reached."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.REDRESS_WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait before the next attempt: doubling from the first, up to the cap."""
    first = settings.REDRESS_WEBHOOK_RETRY_SECONDS
    cap = settings.REDRESS_WEBHOOK_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, first * 2 ** max(attempts - 1, 0)))


def webhook_delivery_send(*, delivery_id: int) -> bool:
    """Send one delivery that is due; return whether this call attempted it.

    It is claimed with a conditional update (pending and due → sending), so a task and a sweep
    that reach it at once send it once. Delivered on a 2xx; otherwise back to pending with a
    capped backoff, and failed after the last attempt (a supervisor can send it again).
    """
    now = clock.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint", "event", "event__complaint").get(
        pk=delivery_id
    )
    body = body_of(delivery.event, delivery.endpoint)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            delivery.endpoint.secret, delivery.webhook_id, timestamp, body
        ),
    }
    code, error = None, ""
    try:
        code = post(delivery.endpoint.url, body, headers)
    except (OSError, ValueError) as exc:
        error = f"Could not reach the endpoint: {getattr(exc, 'reason', exc)}"
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=clock.now(),
            last_status_code=code,
            last_error="",
            next_attempt_at=None,
        )
        return True
    if code is not None:
        error = f"HTTP {code}"
    final = delivery.attempts >= settings.REDRESS_WEBHOOK_MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING,
        last_status_code=code,
        last_error=error[:2000],
        next_attempt_at=None if final else clock.now() + backoff(delivery.attempts),
    )
    logger.info("Webhook %s to %s failed: %s", delivery.webhook_id, delivery.endpoint, error)
    return True


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> bool:
    """Send a delivery again now (a failed one, or a delivered one the receiver lost)."""
    done = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=WebhookDelivery.Status.SENDING)
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=clock.now(), attempts=0)
    )
    if done:
        transaction.on_commit(lambda: queue_deliveries([delivery.pk]))
    return bool(done)


def queue_deliveries(delivery_ids: list[int]) -> None:
    """Publish a send task per delivery over one connection; if the broker is down, the sweep
    sends them."""
    from api import tasks

    try:
        with tasks.webhook_send.app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                tasks.webhook_send.apply_async((delivery_id,), producer=producer)
    except Exception:  # noqa: BLE001 - the broker is down: the delivery sweep sends them.
        logger.warning("Could not queue %d webhook deliveries; the sweep will", len(delivery_ids))
