from celery import shared_task


@shared_task(ignore_result=True)
def notification_send(notification_id: int) -> None:
    """Send one notification (rendering and delivery arrive with the notifications work)."""
