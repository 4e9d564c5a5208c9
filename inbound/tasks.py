from celery import shared_task

from inbound.imap import inbound_poll


@shared_task(ignore_result=True)
def poll_inbound_mail() -> int:
    return inbound_poll()
