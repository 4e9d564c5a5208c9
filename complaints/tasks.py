"""Celery tasks of the lifecycle: thin wrappers that take ids, call a service or a job, return."""

from celery import shared_task

# Modules, not names: the services import this module to publish acknowledge_complaint.
from complaints import exceptions, jobs, services
from complaints.choices import State
from complaints.models import Complaint
from complaints.retention import complaints_anonymise_due


@shared_task(ignore_result=True)
def acknowledge_complaint(complaint_id: int) -> bool:
    complaint = Complaint.objects.filter(pk=complaint_id, state=State.RECEIVED).first()
    if complaint is None:
        return False
    try:
        services.complaint_acknowledge(complaint=complaint)
    except exceptions.ComplaintError:
        return False  # the acknowledgement sweep got there first
    return True


@shared_task(ignore_result=True)
def send_tracking_link(reference: str, email: str) -> bool:
    return services.complaint_send_tracking_link(reference=reference, email=email)


@shared_task(ignore_result=True)
def acknowledge_received() -> int:
    return jobs.complaints_acknowledge_received()


@shared_task(ignore_result=True)
def send_progress_updates() -> int:
    return jobs.progress_updates_send()


@shared_task(ignore_result=True)
def send_promise_alerts() -> int:
    return jobs.promise_alerts_send()


@shared_task(ignore_result=True)
def auto_resolve_responses() -> int:
    return jobs.responses_auto_resolve()


@shared_task(ignore_result=True)
def anonymise_due_complaints() -> int:
    return complaints_anonymise_due()


@shared_task(ignore_result=True)
def send_holding_replies() -> int:
    return jobs.holding_replies_send()
