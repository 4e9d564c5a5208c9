from celery import shared_task

from complaints import clock
from reports.retention import complaints_anonymise_due, inbound_emails_purge_unlinked


@shared_task
def anonymise_due_complaints() -> int:
    now = clock.now()
    return complaints_anonymise_due(now) + inbound_emails_purge_unlinked(now)
