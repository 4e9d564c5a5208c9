"""Where the console's pages are, and cases brought to a state the way the services do it."""

from django.urls import reverse

from complaints import services
from complaints.actors import Actor
from tests.cases import case_in, submit_complaint

CHANGELIST = "/admin/complaints/complaint/"


def submit(**overrides):
    return submit_complaint(**({"account_identifier": "CUST-1001"} | overrides))


def walk_to(state, *, by, handler=None):
    """Return a case brought to `state` through the services, assigned to `handler`."""
    case = case_in(state, handler=by, assign=False)
    if handler is not None:
        case = services.complaint_assign(complaint=case, actor=Actor.staff(by), handler=handler)
    return case


def change_url(case):
    return reverse("admin:complaints_complaint_change", args=[case.pk])


def act_url(case, action):
    return reverse("admin:complaints_complaint_act", args=[case.pk, action])
