from celery import shared_task

from complaints import clock
from escalations.services import escalations_auto_escalate_breached


@shared_task(ignore_result=True)
def auto_escalate_breached() -> int:
    """Escalate the cases whose full-response deadline passed, where the policy says so."""
    return escalations_auto_escalate_breached(clock.now())
