"""Celery tasks of the outbox: thin wrappers that take ids, call a service or a sweep, return."""

from celery import shared_task

# Modules, not names: the services import this module to publish its tasks.
from notifications import digests, jobs, services


@shared_task(ignore_result=True)
def notification_send(notification_id: int) -> bool:
    # No Celery retry: a failed send goes back to pending with its backoff and the sweep resends.
    return services.notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def dispatch_pending() -> int:
    return jobs.notifications_dispatch()


@shared_task(ignore_result=True)
def send_staff_digests() -> int:
    return digests.staff_digests_send()
