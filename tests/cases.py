"""Complaints made the way the product makes them: through the services, never by hand."""

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel
from demo.seed import case_advance

SUBMITTED = {
    "channel": Channel.WEB,
    "complainant_name": "Rosa Diaz",
    "complainant_email": "rosa@example.com",
    "description": "I was charged twice.",
}


def submit_complaint(**overrides):
    """Return a complaint as the web form stores it, through the service."""
    return services.complaint_submit(**(SUBMITTED | overrides))


def case_in(state, *, handler, assign=True, email="rosa@example.com", **overrides):
    """Return a complaint brought to `state` through the services and worked by `handler`.

    With `assign` it is handed to `handler` before acknowledgement, so automatic assignment
    cannot give it to someone else.
    """
    case = submit_complaint(complainant_email=email, **overrides)
    if assign:
        case = services.complaint_assign(
            complaint=case, actor=Actor.staff(handler), handler=handler
        )
    return case_advance(case, state, handler=handler)


def deliver_pending() -> int:
    """Send every pending email in the outbox now, as the worker would; return how many went."""
    from notifications.models import Notification
    from notifications.services import notification_deliver

    pending = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at=None)
    pks = list(pending.values_list("pk", flat=True))
    return sum(notification_deliver(notification_id=pk) for pk in pks)
