from celery import shared_task
from django.conf import settings

from inbound.imap import inbound_poll
from inbound.retention import inbound_emails_purge_unlinked


@shared_task(ignore_result=True)
def poll_inbound_mail() -> int:
    # One poll per share of the mailbox (REDRESS_INBOUND_POLLERS), for as many worker processes.
    shares = settings.REDRESS_INBOUND_POLLERS
    for share in range(1, shares):
        poll_inbound_mail_share.delay(share, shares)
    return inbound_poll(share=0, shares=shares)


@shared_task(ignore_result=True)
def poll_inbound_mail_share(share: int, shares: int) -> int:
    return inbound_poll(share=share, shares=shares)


@shared_task(ignore_result=True)
def purge_unlinked_inbound_mail() -> int:
    return inbound_emails_purge_unlinked()
