from celery import shared_task

from escalations.jobs import escalations_auto_escalate_breached


@shared_task(ignore_result=True)
def auto_escalate_breached() -> int:
    return escalations_auto_escalate_breached()
