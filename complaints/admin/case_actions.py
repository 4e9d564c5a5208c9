"""What a handler can do on the case page: each action names its form and the service it calls.

The admin never fires a transition on the model itself: every action goes through a service in
complaints.services, which locks the row, records the timeline entry and writes the
notifications in one transaction. Apps above complaints add their own actions with
`action_register` from their admin module (escalations adds "escalate"): complaints may not
import them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints import attachments, holding_replies, ledger, rulepacks, services, vulnerability
from complaints.actors import Actor
from complaints.admin import forms as console_forms
from complaints.choices import VulnerabilityDriver
from complaints.models import Complaint, ResponseTemplate

WORK = "complaints.work_complaint"


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: str | Promise
    # A service called as service(complaint=..., actor=..., **the form's cleaned data): each
    # form's field names are the service's keyword arguments.
    service: Callable[..., Any]
    done: str | Promise
    form_class: type[forms.Form] | None = None
    # A transition of the state machine is offered when the machine allows it now; other
    # actions say themselves when they apply.
    is_transition: bool = True
    applies: Callable[[Complaint], bool] | None = None
    permission: str = WORK
    # Correspondence is written in the panel under the case, not from a button on top.
    in_correspondence: bool = False
    # Standard wording the form may start from: the templates on offer for a case, and the
    # form's initial data from one of them (merge fields filled in for the case).
    templates: Callable[[Complaint], Any] | None = None
    from_template: Callable[[ResponseTemplate, Complaint], dict] | None = None
    # Said instead of `done` when what the action sends goes as a letter for staff to post:
    # nothing may be reported as sent that was not.
    done_by_letter: str | Promise | None = None
    # The form's initial data from the case, where the action edits something it already has.
    initial: Callable[[Complaint], dict] | None = None

    @property
    def has_form(self) -> bool:
        # For templates: they would call form_class, building a form just to test it.
        return self.form_class is not None

    def perform(self, complaint: Complaint, actor: Actor, data: dict[str, Any]) -> Any:
        return self.service(complaint=complaint, actor=actor, **data)

    def is_available(self, complaint: Complaint, allowed_transitions: set[str]) -> bool:
        if self.is_transition and self.name not in allowed_transitions:
            return False
        return self.applies is None or self.applies(complaint)


@dataclass(frozen=True)
class OfferedAction:
    """An action as one case page offers it: its label in the reader's language, its page."""

    name: str
    label: str
    url: str
    has_form: bool
    # Offers standard wording to start from (its page lists the templates for the case).
    has_templates: bool = False


def offered(actions: list[CaseAction], base: str) -> list[OfferedAction]:
    """Return `actions` for the page, each action's page being `base` followed by its name.

    Reversing each action's URL and resolving its lazy label in the template was a twentieth of
    the case page (profile_pages.py).
    """
    return [
        OfferedAction(
            action.name,
            str(action.label),
            f"{base}{action.name}/",
            action.has_form,
            action.templates is not None,
        )
        for action in actions
    ]


def allowed_transitions(complaint: Complaint) -> set[str]:
    # get_available_state_transitions is added to the model by django-fsm's FSMField.
    transitions = complaint.get_available_state_transitions()  # type: ignore[attr-defined]
    return {transition.name for transition in transitions}


def _vulnerability_initial(case: Complaint) -> dict:
    record = vulnerability.vulnerability_of(case)
    if record is None:
        return {"named_contact": case.handler_id}
    return {
        "drivers": [value for value in VulnerabilityDriver.values if getattr(record, value)],
        "notes": record.notes,
        "by_post": record.by_post,
        "large_print": record.large_print,
        "call_before_writing": record.call_before_writing,
        "named_contact": record.named_contact_id,
        "other_adjustments": record.other_adjustments,
    }


def _has_open_resolve_deadline(case: Complaint) -> bool:
    return case.is_open and case.responded_at is None and case.resolve_by is not None


def _may_owe_holding_reply(case: Complaint) -> bool:
    # Read from the policy the case page loaded already: no query of its own. The service
    # says so if the holding reply was already written or the final response sent.
    return case.state in holding_replies.OWING_STATES and rulepacks.has_clock(case.policy)


ACTIONS: dict[str, CaseAction] = {
    action.name: action
    for action in [
        CaseAction(
            "acknowledge",
            _("Acknowledge"),
            services.complaint_acknowledge,
            _("Complaint %(reference)s acknowledged; the acknowledgement is on its way."),
            done_by_letter=_(
                "Complaint %(reference)s acknowledged; the acknowledgement is a letter to post "
                "(see Letters on the case): nothing was emailed."
            ),
        ),
        CaseAction(
            "start_investigation",
            _("Start investigation"),
            services.complaint_start_investigation,
            _("Investigation of %(reference)s started."),
        ),
        CaseAction(
            "request_information",
            _("Request information"),
            services.complaint_request_information,
            _("The question on %(reference)s was sent to the complainant."),
            done_by_letter=_(
                "The question on %(reference)s is a letter to post (see Letters on the case): "
                "nothing was emailed."
            ),
            form_class=console_forms.InformationRequestForm,
            templates=lambda case: ResponseTemplate.objects.for_case(case).exclude(body=""),
            from_template=ResponseTemplate.as_message,
        ),
        CaseAction(
            "respond",
            _("Respond"),
            services.complaint_respond,
            _("The response on %(reference)s was sent."),
            done_by_letter=_(
                "The response on %(reference)s is a letter to post (see Letters on the case): "
                "nothing was emailed."
            ),
            form_class=console_forms.ResponseForm,
            templates=lambda case: ResponseTemplate.objects.for_case(case).exclude(
                findings="", actions="", reasoning=""
            ),
            from_template=ResponseTemplate.as_response,
        ),
        CaseAction(
            "resolve",
            _("Resolve"),
            services.complaint_resolve,
            _("Complaint %(reference)s resolved."),
            form_class=console_forms.ResolveForm,
        ),
        CaseAction(
            "extend_deadline",
            _("Extend the deadline"),
            services.complaint_extend_deadline,
            _("The deadline of %(reference)s was moved and the complainant told why."),
            done_by_letter=_(
                "The deadline of %(reference)s was moved; telling the complainant why is a letter "
                "to post (see Letters on the case): nothing was emailed."
            ),
            form_class=console_forms.DeadlineExtensionForm,
            is_transition=False,
            applies=_has_open_resolve_deadline,
        ),
        CaseAction(
            "holding_reply",
            _("Send a holding reply"),
            holding_replies.complaint_send_holding_reply,
            _(
                "The holding reply on %(reference)s is on its way: the reasons, the date and "
                "the complainant's right to refer to the ombudsman now."
            ),
            done_by_letter=_(
                "The holding reply on %(reference)s is a letter to post (see Letters on the "
                "case): nothing was emailed."
            ),
            form_class=console_forms.HoldingReplyForm,
            is_transition=False,
            applies=_may_owe_holding_reply,
        ),
        CaseAction(
            "mark_complex",
            _("Mark complex"),
            services.complaint_mark_complex,
            _("Complaint %(reference)s is now complex."),
            form_class=console_forms.ComplexReasonForm,
            is_transition=False,
            applies=lambda case: _has_open_resolve_deadline(case) and not case.is_complex,
        ),
        CaseAction(
            "resume_clock",
            _("Resume the clock"),
            services.complaint_resume_clock,
            _(
                "The clock of %(reference)s runs again; its targets moved later by the time it "
                "stood still."
            ),
            is_transition=False,
            applies=lambda case: case.is_open and case.clock_paused_at is not None,
        ),
        CaseAction(
            "assign",
            _("Assign"),
            services.complaint_assign,
            _("Complaint %(reference)s assigned."),
            form_class=console_forms.AssignForm,
            is_transition=False,
            applies=lambda case: case.is_open,
        ),
        CaseAction(
            "vulnerability",
            _("Vulnerability"),
            vulnerability.vulnerability_record,
            _("The vulnerability record of %(reference)s is saved."),
            form_class=console_forms.VulnerabilityForm,
            is_transition=False,
            initial=_vulnerability_initial,
        ),
        CaseAction(
            "record_redress",
            _("Record redress"),
            ledger.redress_record,
            _("The redress entry on %(reference)s is recorded."),
            form_class=console_forms.RedressEntryForm,
            is_transition=False,
        ),
        CaseAction(
            "withdraw",
            _("Withdraw"),
            services.complaint_withdraw,
            _("Complaint %(reference)s withdrawn."),
            form_class=console_forms.ReasonForm,
        ),
        CaseAction(
            "reopen",
            _("Reopen"),
            services.complaint_reopen,
            _("Complaint %(reference)s reopened."),
            form_class=console_forms.ReasonForm,
        ),
        CaseAction(
            "revoke_tracking_link",
            _("Revoke the tracking link"),
            services.complaint_rotate_token,
            _(
                "The tracking link of %(reference)s no longer works. The complainant gets the "
                "new one by asking on the lookup page."
            ),
            is_transition=False,
        ),
        CaseAction(
            "send_message",
            _("Send to the complainant"),
            services.complaint_send_message,
            _("The message on %(reference)s is on its way to the complainant."),
            done_by_letter=_(
                "The complainant has no email address we can use: the message on %(reference)s "
                "is a letter to post (see Letters on the case). Nothing was emailed."
            ),
            form_class=console_forms.MessageForm,
            is_transition=False,
            applies=lambda case: case.is_open,
            in_correspondence=True,
            templates=lambda case: ResponseTemplate.objects.for_case(case).exclude(body=""),
            from_template=ResponseTemplate.as_message,
        ),
        CaseAction(
            "add_note",
            _("Add note"),
            services.complaint_add_note,
            _("Note added to %(reference)s."),
            form_class=console_forms.NoteForm,
            is_transition=False,
            in_correspondence=True,
        ),
        CaseAction(
            "attach_file",
            _("Upload"),
            attachments.attachment_store,
            _("File added to %(reference)s."),
            form_class=console_forms.AttachmentForm,
            is_transition=False,
            in_correspondence=True,
        ),
    ]
}


def action_register(action: CaseAction, *, after: str) -> None:
    """Offer `action` on the case page, placed after the action named `after`."""
    actions = [item for item in ACTIONS.values() if item.name != action.name]
    position = next(i for i, item in enumerate(actions) if item.name == after) + 1
    actions.insert(position, action)
    # The same dict object, refilled: modules that imported ACTIONS see the new action too.
    ACTIONS.clear()
    ACTIONS.update((item.name, item) for item in actions)


def available_actions(complaint: Complaint, user) -> list[CaseAction]:
    """Return the actions `user` may take on `complaint` now, in the order they are shown."""
    transitions = allowed_transitions(complaint)
    return [
        action
        for action in ACTIONS.values()
        if user.has_perm(action.permission) and action.is_available(complaint, transitions)
    ]
