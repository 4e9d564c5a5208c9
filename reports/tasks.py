from celery import shared_task

from complaints import clock
from reports.retention import complaints_anonymise_due


@shared_task
def anonymise_due_complaints() -> int:
    return complaints_anonymise_due(clock.now())
