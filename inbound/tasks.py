from celery import shared_task

from inbound.imap import inbound_poll
from inbound.retention import inbound_emails_purge_unlinked


@shared_task(ignore_result=True)
def poll_inbound_mail() -> int:
    return inbound_poll()


@shared_task(ignore_result=True)
def purge_unlinked_inbound_mail() -> int:
    return inbound_emails_purge_unlinked()
