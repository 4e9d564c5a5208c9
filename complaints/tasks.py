from celery import shared_task

from complaints.retention import complaints_anonymise_due


@shared_task(ignore_result=True)
def anonymise_due_complaints() -> int:
    return complaints_anonymise_due()
