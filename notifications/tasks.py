"""Celery tasks: thin wrappers that take ids, call a service or a job, and return."""

from celery import shared_task

from complaints.choices import State
from complaints.exceptions import ComplaintError
from complaints.models import Complaint
from complaints.services import complaint_acknowledge
from notifications import jobs
from notifications.digests import staff_digests_send
from notifications.inbound.imap import inbound_poll
from notifications.services import notification_deliver


@shared_task(ignore_result=True)
def notification_send(notification_id: int) -> bool:
    # No Celery retry: a failed send goes back to pending with its backoff and the sweep resends.
    return notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def acknowledge_complaint(complaint_id: int) -> bool:
    complaint = Complaint.objects.filter(pk=complaint_id, state=State.RECEIVED).first()
    if complaint is None:
        return False
    try:
        complaint_acknowledge(complaint=complaint)
    except ComplaintError:
        return False  # the acknowledgement sweep got there first
    return True


@shared_task(ignore_result=True)
def dispatch_pending() -> int:
    return jobs.until_done(jobs.notifications_dispatch)


@shared_task(ignore_result=True)
def acknowledge_received() -> int:
    return jobs.until_done(jobs.complaints_acknowledge_received)


@shared_task(ignore_result=True)
def send_progress_updates() -> int:
    return jobs.until_done(jobs.progress_updates_send)


@shared_task(ignore_result=True)
def send_deadline_alerts() -> int:
    return jobs.until_done(jobs.deadline_alerts_send)


@shared_task(ignore_result=True)
def auto_resolve_responses() -> int:
    return jobs.until_done(jobs.responses_auto_resolve)


@shared_task(ignore_result=True)
def poll_inbound_mail() -> int:
    return jobs.until_done(inbound_poll)


@shared_task(ignore_result=True)
def send_staff_digests() -> int:
    return staff_digests_send()
