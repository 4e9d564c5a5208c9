"""What the complainant's tracking page shows: the status in plain words, the timeline, what
comes next and the correspondence; never internal notes or staff-only files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.choices import Remedy, State
from complaints.models import Attachment, Complaint, ComplaintEvent, Message
from escalations.models import Escalation

STATUS = {
    State.RECEIVED: _("We have received your complaint and will confirm it shortly."),
    State.ACKNOWLEDGED: _("We have confirmed your complaint. It is waiting for its handler."),
    State.INVESTIGATING: _("We are looking into your complaint."),
    State.RESPONDED: _(
        "We have sent our response. Tell us whether you accept it or want it reviewed."
    ),
    State.ESCALATED: _("A senior colleague who was not involved before is reviewing your case."),
    State.RESOLVED: _("Your complaint is closed."),
    State.WITHDRAWN: _("You withdrew your complaint. We have stopped working on it."),
}
AWAITING_INFORMATION = _("We have asked you for more information. Please answer below.")

EVENTS = {
    "received": _("Your complaint reached us"),
    "acknowledge": _("We confirmed your complaint"),
    "start_investigation": _("We started looking into it"),
    "request_information": _("We asked you for more information"),
    "record_customer_reply": _("You sent the information we asked for"),
    "customer_message": _("You added information"),
    "message_sent": _("We wrote to you"),
    "respond": _("We sent our response"),
    "resolve": _("The complaint was closed"),
    "escalate": _("The complaint went to a senior reviewer"),
    "close_escalation": _("We sent our final response"),
    "withdraw": _("The complaint was withdrawn"),
    "merged": _("We joined this complaint to another about the same matter and closed it here"),
    "reopen": _("We reopened the complaint"),
    "deadline_extended": _("We need more time and set a new date"),
    "holding_reply": _("We told you why our final response needs more time"),
    "rated": _("You rated how we handled it"),
}
# Only these notes are written for the complainant; others may quote staff.
EVENTS_WITH_PUBLIC_NOTE = {"deadline_extended", "holding_reply"}


@dataclass(frozen=True)
class TimelineEntry:
    label: str | Promise
    at: dt.datetime
    note: str = ""


@dataclass(frozen=True)
class NextStep:
    label: str | Promise
    at: dt.datetime | None = None


def timeline(events: list[ComplaintEvent]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            label=EVENTS[event.action],
            at=event.created_at,
            note=event.note if event.action in EVENTS_WITH_PUBLIC_NOTE else "",
        )
        for event in events
        if event.action in EVENTS
    ]


def next_steps(complaint: Complaint, escalation: Escalation | None) -> list[NextStep]:
    """Return what happens next on the case, with the stored dates it will happen by."""
    now, state, steps = clock.now(), complaint.state, []
    if state == State.RECEIVED and complaint.acknowledge_by:
        steps.append(NextStep(_("We confirm your complaint by"), complaint.acknowledge_by))
    if state in (State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING):
        if complaint.awaiting_information:
            steps.append(NextStep(_("We are waiting for your answer to our question.")))
        if complaint.first_responded_at is None and complaint.respond_by:
            steps.append(NextStep(_("Our first reply is due by"), complaint.respond_by))
        if complaint.resolve_by:
            steps.append(NextStep(_("Our full response is due by"), complaint.resolve_by))
    if state == State.RESPONDED:
        if complaint.escalate_until and complaint.escalate_until >= now:
            steps.append(NextStep(_("You can ask for a review until"), complaint.escalate_until))
        if complaint.auto_resolve_at:
            steps.append(
                NextStep(
                    _("If we do not hear from you, we close the complaint on"),
                    complaint.auto_resolve_at,
                )
            )
    if state == State.ESCALATED and escalation is not None and escalation.review_by:
        steps.append(NextStep(_("The review is due by"), escalation.review_by))
    if complaint.is_open and state != State.RESPONDED and complaint.next_update_due:
        steps.append(NextStep(_("We will update you by"), complaint.next_update_due))
    return steps


def case_page(complaint: Complaint) -> dict:
    """Return what the page shows, in a fixed number of queries however long the case."""
    events = list(complaint.events.filter(is_public=True).order_by("created_at", "pk"))
    messages = list(
        complaint.messages.exclude(direction=Message.Direction.INTERNAL_NOTE).order_by(
            "created_at", "pk"
        )
    )
    files = list(
        Attachment.objects.filter(complaint=complaint, is_internal=False).order_by(
            "created_at", "pk"
        )
    )
    escalation = complaint.escalations.order_by("-requested_at").first()
    by_message: dict[int | None, list[Attachment]] = {}
    for attachment in files:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        # Read by the template: the message's files the complainant may see.
        message.public_files = by_message.get(message.pk, [])  # type: ignore[attr-defined]
    now = clock.now()
    return {
        "status": AWAITING_INFORMATION
        if complaint.awaiting_information and complaint.state == State.INVESTIGATING
        else STATUS[complaint.state],
        "timeline": timeline(events),
        "next_steps": next_steps(complaint, escalation),
        "case_messages": messages,
        "files": files,
        "escalation": escalation,
        "remedies": [Remedy(value).label for value in complaint.remedies if value in Remedy.values],
        "can_reply": complaint.is_open,
        "can_accept": complaint.state == State.RESPONDED,
        "can_escalate": complaint.state == State.RESPONDED
        and (complaint.escalate_until is None or now <= complaint.escalate_until),
        "can_withdraw": complaint.is_open,
        "can_rate": complaint.state == State.RESOLVED and complaint.rated_at is None,
        "already_stored": sum(attachment.size for attachment in files),
    }
