"""Celery tasks: thin wrappers that take ids, call a service or a sweep, and return."""

from celery import shared_task

from api import jobs
from api.webhooks import webhook_delivery_send


@shared_task(ignore_result=True)
def webhook_send(delivery_id: int) -> bool:
    # No Celery retry: a failed attempt goes back to pending with its backoff; the sweep resends.
    return webhook_delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def collect_webhook_events() -> int:
    return jobs.until_done(jobs.webhook_events_collect) + jobs.until_done(
        jobs.webhook_breaches_collect
    )


@shared_task(ignore_result=True)
def deliver_webhooks() -> int:
    return jobs.until_done(jobs.webhook_deliveries_dispatch, batch=jobs.DELIVERY_BATCH)


@shared_task(ignore_result=True)
def expire_idempotency_keys() -> int:
    return jobs.until_done(jobs.idempotency_keys_expire)
