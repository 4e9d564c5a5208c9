"""A complaint as the organisation's app sees it: what the complainant sees, nothing more.

The messages, files, timeline and next steps come from the complainant's own tracking page
(publicsite.tracking), so internal notes and staff-only files can never appear here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from complaints.choices import State
from complaints.models import Attachment, Complaint, Message
from publicsite import tracking

DIRECTIONS = {
    Message.Direction.TO_COMPLAINANT: "to_complainant",
    Message.Direction.FROM_COMPLAINANT: "from_complainant",
}


def tracking_url(complaint: Complaint) -> str:
    return f"{settings.SITE_URL}{complaint.get_absolute_url()}"


def expected(complaint: Complaint, review_by=None) -> dict:
    """Return the dates stored on the case when it was received (and since moved)."""
    return {
        "acknowledge_by": complaint.acknowledge_by if complaint.acknowledged_at is None else None,
        "first_response_by": complaint.respond_by if complaint.first_responded_at is None else None,
        "full_response_by": complaint.resolve_by if complaint.responded_at is None else None,
        "next_update_by": complaint.next_update_due if complaint.is_open else None,
        "review_by": review_by,
    }


def summary(complaint: Complaint) -> dict:
    with translation.override(complaint.language):
        status = str(
            tracking.AWAITING_INFORMATION
            if complaint.awaiting_information and complaint.state == State.INVESTIGATING
            else tracking.STATUS[complaint.state]
        )
    return {
        "reference": complaint.display_reference,
        "state": complaint.state,
        "status": status,
        "channel": complaint.channel,
        "account_identifier": complaint.account_identifier,
        "language": complaint.language,
        "received_at": complaint.received_at,
        "closed_at": complaint.closed_at,
        "awaiting_information": complaint.awaiting_information,
        "expected": expected(complaint),
        "tracking_url": tracking_url(complaint),
    }


def file(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "created_at": attachment.created_at,
    }


def detail(complaint: Complaint) -> dict:
    page = tracking.case_page(complaint)
    escalation = page["escalation"]
    body = summary(complaint)
    body["expected"] = expected(
        complaint,
        review_by=escalation.review_by
        if escalation is not None and complaint.state == State.ESCALATED
        else None,
    )
    with translation.override(complaint.language):
        body["next_steps"] = [
            {"title": str(step.label), "at": step.at} for step in page["next_steps"]
        ]
        body["timeline"] = [
            {"title": str(entry.label), "at": entry.at} for entry in page["timeline"]
        ]
    body["response"] = (
        {
            "findings": complaint.response_findings,
            "actions": complaint.response_actions,
            "reasoning": complaint.response_reasoning,
            "outcome": complaint.outcome,
            "remedies": list(complaint.remedies),
            "redress_amount": complaint.redress_amount,
            "redress_currency": complaint.redress_currency,
            "responded_at": complaint.responded_at,
        }
        if complaint.responded_at is not None or complaint.outcome
        else None
    )
    body["messages"] = [
        {
            "id": message.pk,
            "direction": DIRECTIONS[message.direction],
            "body": message.body,
            "created_at": message.created_at,
            "files": [file(attachment) for attachment in message.public_files],
        }
        for message in page["case_messages"]
        if message.direction in DIRECTIONS
    ]
    body["files"] = [file(attachment) for attachment in page["files"]]
    return body
