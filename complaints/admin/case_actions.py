"""What a handler can do on the case page: each action names its form and the service it calls.

The admin never fires a transition on the model itself: every action goes through a service in
complaints.services (or escalations.services), which locks the row, records the timeline entry and
writes the notifications in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints import attachments, services
from complaints.actors import Actor
from complaints.admin import forms as console_forms
from complaints.models import Complaint
from escalations.services import escalation_request

WORK = "complaints.work_complaint"


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: str
    perform: Callable[[Complaint, Actor, dict[str, Any]], Any]
    done: str
    form_class: type[forms.Form] | None = None
    # A transition of the state machine is offered when the machine allows it now; other
    # actions say themselves when they apply.
    is_transition: bool = True
    applies: Callable[[Complaint], bool] | None = None
    permission: str = WORK
    # Correspondence is written in the panel under the case, not from a button on top.
    in_correspondence: bool = False

    def is_available(self, complaint: Complaint, allowed_transitions: set[str]) -> bool:
        if self.is_transition and self.name not in allowed_transitions:
            return False
        return self.applies is None or self.applies(complaint)


def allowed_transitions(complaint: Complaint) -> set[str]:
    return {transition.name for transition in complaint.get_available_state_transitions()}


def _has_open_resolve_deadline(case: Complaint) -> bool:
    return case.is_open and case.responded_at is None and case.resolve_by is not None


ACTIONS: dict[str, CaseAction] = {
    action.name: action
    for action in [
        CaseAction(
            "acknowledge",
            _("Acknowledge"),
            lambda case, actor, data: services.complaint_acknowledge(complaint=case, actor=actor),
            _("Complaint %(reference)s acknowledged; the acknowledgement is on its way."),
        ),
        CaseAction(
            "start_investigation",
            _("Start investigation"),
            lambda case, actor, data: services.complaint_start_investigation(
                complaint=case, actor=actor
            ),
            _("Investigation of %(reference)s started."),
        ),
        CaseAction(
            "request_information",
            _("Request information"),
            lambda case, actor, data: services.complaint_request_information(
                complaint=case, actor=actor, body=data["body"]
            ),
            _("The question on %(reference)s was sent to the complainant."),
            form_class=console_forms.InformationRequestForm,
        ),
        CaseAction(
            "respond",
            _("Respond"),
            lambda case, actor, data: services.complaint_respond(
                complaint=case, actor=actor, **data
            ),
            _("The response on %(reference)s was sent."),
            form_class=console_forms.ResponseForm,
        ),
        CaseAction(
            "resolve",
            _("Resolve"),
            lambda case, actor, data: services.complaint_resolve(complaint=case, actor=actor),
            _("Complaint %(reference)s resolved."),
        ),
        CaseAction(
            "escalate",
            _("Escalate"),
            lambda case, actor, data: escalation_request(complaint=case, actor=actor, **data),
            _("Complaint %(reference)s escalated for a senior review."),
            form_class=console_forms.EscalationForm,
            permission="escalations.add_escalation",
        ),
        CaseAction(
            "extend_deadline",
            _("Extend the deadline"),
            lambda case, actor, data: services.complaint_extend_deadline(
                complaint=case, actor=actor, **data
            ),
            _("The deadline of %(reference)s was moved and the complainant told why."),
            form_class=console_forms.DeadlineExtensionForm,
            is_transition=False,
            applies=_has_open_resolve_deadline,
        ),
        CaseAction(
            "mark_complex",
            _("Mark complex"),
            lambda case, actor, data: services.complaint_mark_complex(
                complaint=case, actor=actor, reason=data["reason"]
            ),
            _("Complaint %(reference)s is now complex."),
            form_class=console_forms.ReasonForm,
            is_transition=False,
            applies=lambda case: _has_open_resolve_deadline(case) and not case.is_complex,
        ),
        CaseAction(
            "assign",
            _("Assign"),
            lambda case, actor, data: services.complaint_assign(
                complaint=case, actor=actor, handler=data["handler"]
            ),
            _("Complaint %(reference)s assigned."),
            form_class=console_forms.AssignForm,
            is_transition=False,
            applies=lambda case: case.is_open,
        ),
        CaseAction(
            "withdraw",
            _("Withdraw"),
            lambda case, actor, data: services.complaint_withdraw(
                complaint=case, actor=actor, reason=data["reason"]
            ),
            _("Complaint %(reference)s withdrawn."),
            form_class=console_forms.ReasonForm,
        ),
        CaseAction(
            "reopen",
            _("Reopen"),
            lambda case, actor, data: services.complaint_reopen(
                complaint=case, actor=actor, reason=data["reason"]
            ),
            _("Complaint %(reference)s reopened."),
            form_class=console_forms.ReasonForm,
        ),
        CaseAction(
            "send_message",
            _("Send to the complainant"),
            lambda case, actor, data: services.complaint_send_message(
                complaint=case, actor=actor, body=data["body"]
            ),
            _("The message on %(reference)s is on its way to the complainant."),
            form_class=console_forms.MessageForm,
            is_transition=False,
            applies=lambda case: case.is_open,
            in_correspondence=True,
        ),
        CaseAction(
            "add_note",
            _("Add note"),
            lambda case, actor, data: services.complaint_add_note(
                complaint=case, actor=actor, body=data["body"]
            ),
            _("Note added to %(reference)s."),
            form_class=console_forms.NoteForm,
            is_transition=False,
            in_correspondence=True,
        ),
        CaseAction(
            "attach_file",
            _("Upload"),
            lambda case, actor, data: attachments.attachment_store(
                complaint=case, actor=actor, upload=data["file"], is_internal=data["is_internal"]
            ),
            _("File added to %(reference)s."),
            form_class=console_forms.AttachmentForm,
            is_transition=False,
            in_correspondence=True,
        ),
    ]
}


def available_actions(complaint: Complaint, user) -> list[CaseAction]:
    """Return the actions `user` may take on `complaint` now, in the order they are shown."""
    transitions = allowed_transitions(complaint)
    return [
        action
        for action in ACTIONS.values()
        if user.has_perm(action.permission) and action.is_available(complaint, transitions)
    ]
