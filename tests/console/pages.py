"""Where the console's pages are, and a complaint submitted the way the public site does it."""

from django.urls import reverse

from complaints import services
from complaints.choices import Channel

CHANGELIST = "/admin/complaints/complaint/"


def submit(**overrides):
    fields = {
        "channel": Channel.WEB,
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "account_identifier": "CUST-1001",
        "description": "I was charged twice.",
    }
    return services.complaint_submit(**(fields | overrides))


def change_url(case):
    return reverse("admin:complaints_complaint_change", args=[case.pk])


def act_url(case, action):
    return reverse("admin:complaints_complaint_act", args=[case.pk, action])


def walk_to(state, *, by, handler=None):
    """Return a case brought to `state` through the services, assigned to `handler`."""
    from complaints.actors import Actor
    from escalations.services import escalation_request

    actor = Actor.staff(by)
    case = submit()
    if handler is not None:
        case = services.complaint_assign(complaint=case, actor=actor, handler=handler)
    steps = {
        "received": [],
        "acknowledged": ["acknowledge"],
        "investigating": ["acknowledge", "investigate"],
        "responded": ["acknowledge", "investigate", "respond"],
        "resolved": ["acknowledge", "investigate", "respond", "resolve"],
        "escalated": ["acknowledge", "investigate", "escalate"],
    }[state]
    for step in steps:
        if step == "acknowledge":
            case = services.complaint_acknowledge(complaint=case, actor=actor)
        elif step == "investigate":
            case = services.complaint_start_investigation(complaint=case, actor=actor)
        elif step == "respond":
            case = services.complaint_respond(
                complaint=case,
                actor=actor,
                findings="A duplicate charge.",
                actions="Refunded.",
                reasoning="Our error.",
                outcome="upheld",
            )
        elif step == "resolve":
            case = services.complaint_resolve(complaint=case, actor=actor)
        elif step == "escalate":
            escalation_request(complaint=case, actor=actor, grounds="Needs a senior view.")
            case.refresh_from_db()
    assert case.state == state
    return case
