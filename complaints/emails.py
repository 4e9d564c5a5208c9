"""What each email about a case says: the template context the outbox renders it with.

Registered with the outbox (`notifications.rendering.use_context`) when the app is ready.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from complaints import clock, promise_records, rulepacks
from complaints.choices import DeadlineKind, PromiseKind, Remedy
from complaints.models import Complaint, DeadlineExtension, Message
from complaints.roles import SUPERVISORS
from notifications.models import Notification, StaffDigestItem

K = Notification.Kind


def email_context(notification: Notification) -> dict[str, Any]:
    complaint = notification.complaint
    context: dict[str, Any] = {
        "is_letter": notification.channel == Notification.Channel.LETTER,
        "address_lines": [
            line.strip() for line in complaint.complainant_address.splitlines() if line.strip()
        ],
        "complaint": complaint,
        "reference": complaint.display_reference,
        "thread": complaint.reference,
        "time_zone": complaint.policy.time_zone,
        "organisation": settings.REDRESS_ORGANISATION_NAME,
        "policy": complaint.policy,
        "tracking_url": settings.SITE_URL + complaint.tracking_path(),
        "handler_name": _handler_name(complaint),
        "latest_extension": complaint.extensions.order_by("-created_at", "-pk").first(),
        **pack_context(notification, complaint),
    }
    extra = KIND_CONTEXT.get(notification.kind)
    if extra is not None:
        context.update(extra(notification, complaint))
    return context


def pack_context(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    """Return the rule packs' part: what their blocks say, and which blocks this message has.

    Each message's template includes `pack_blocks`: per pack the template
    notifications/email/packs/<pack>/<kind>.txt where there is one.
    """
    packs = rulepacks.packs_for(complaint.policy)
    blocks = []
    for pack in packs:
        name = f"notifications/email/packs/{pack.code}/{notification.kind}.txt"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        blocks.append(name)
    return {"packs": rulepacks.context(complaint) if packs else {}, "pack_blocks": blocks}


def _holding(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    told = notification.context
    return {
        "holding": {
            "reasons": told.get("reasons", ""),
            "expected_by": parse_datetime(told.get("expected_by") or ""),
            "regulatory_limit": parse_datetime(told.get("regulatory_limit") or ""),
        }
    }


def _message(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    return {"message": Message.objects.get(pk=notification.context["message_id"])}


def _extension(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    return {"extension": DeadlineExtension.objects.get(pk=notification.context["extension_id"])}


def _progress(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    # The dates are read when the email is written out, not when the row was queued: an update
    # sent late after an outage must still state only dates that are still ahead.
    events = complaint.events.filter(is_public=True).order_by("-created_at", "-pk")[:5]
    owed = promise_records.owed_dates(complaint, at=clock.now())
    return {"events": list(reversed(events)), **owed}


def _response(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    # Plain strings: the text templates turn autoescaping off, and then `join` refuses lazy labels.
    labels = [str(Remedy(value).label) for value in complaint.remedies if value in Remedy]
    return {"remedies": labels}


def _escalation(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    escalations = complaint.escalations.order_by("-requested_at", "-pk")
    escalation_id = notification.context.get("escalation_id")
    return {
        "escalation": escalations.filter(pk=escalation_id).first()
        if escalation_id
        else escalations.first()
    }


def _final_response(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    """Return what the supervisor decided, as it was fixed at the decision."""
    context = _escalation(notification, complaint)
    told = notification.context
    escalation = context["escalation"]
    remedies = told.get("remedies", complaint.remedies)
    return context | {
        "final_response": without_greeting(escalation.final_response if escalation else ""),
        "remedies": [str(Remedy(value).label) for value in remedies if value in Remedy],
        "redress_amount": told.get("redress_amount", complaint.redress_amount),
        "redress_currency": told.get("redress_currency", complaint.redress_currency),
    }


# A salutation a person may start their text with; the email greets the complainant already.
GREETING = re.compile(
    r"^\s*(dear|hello|hi|good (morning|afternoon|evening)|sehr geehrte[rs]?|liebe[rs]?|hallo"
    r"|guten (morgen|tag|abend))\b[^\n]{0,60}[,!][ \t]*\n",
    re.IGNORECASE,
)


def without_greeting(text: str) -> str:
    """Return `text` without an opening salutation line ("Dear Ms Diaz,") that text follows."""
    return GREETING.sub("", text, count=1).lstrip("\n")


def _merged(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    """Return the original case only where it is the complainant's own (complaints.related
    decided that when the message was written); anyone else's case is never named."""
    original_id = notification.context.get("original_id")
    original = Complaint.objects.filter(pk=original_id).first() if original_id else None
    if original is None:
        return {"original_reference": "", "original_tracking_url": ""}
    return {
        "original_reference": original.display_reference,
        "original_tracking_url": settings.SITE_URL + original.tracking_path(),
    }


def _staff(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    deadline_kind = notification.context.get("deadline_kind", "")
    delayed = Notification.objects.filter(pk=notification.context.get("notification_id")).first()
    return {
        "delayed": delayed,
        "admin_url": settings.SITE_URL
        + reverse("admin:complaints_complaint_change", args=[complaint.pk]),
        "deadline_label": _deadline_label(deadline_kind),
        "deadline_at": parse_datetime(notification.context.get("deadline_at", ""))
        or complaint.next_deadline,
        "activity": ACTIVITY.get(notification.context.get("action", ""), ""),
        "is_supervisor": notification.recipient_user is not None
        and notification.recipient_user.groups.filter(name=SUPERVISORS).exists(),
    }


def _deadline_label(kind: str) -> str:
    if not kind:
        return ""
    if kind in DeadlineKind.values:
        return str(DeadlineKind(kind).label)
    return str(PromiseKind(kind).label) if kind in PromiseKind.values else kind


# What the complainant did, as the handler's email says it.
ACTIVITY = {
    "customer_message": _("The complainant sent a message."),
    "record_customer_reply": _("The complainant answered your request for information."),
    "file_added": _("The complainant added a file."),
    "resolve": _("The complainant accepted the response."),
    "escalate": _("The complainant asked for a review of the response."),
    "withdraw": _("The complainant withdrew the complaint."),
}


def _digest(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    items = StaffDigestItem.objects.filter(pk__in=notification.context.get("item_ids", []))
    return {
        "entries": [
            {
                "reference": item.complaint.display_reference,
                "activity": ACTIVITY.get(item.action, item.action),
                "at": item.created_at,
                "admin_url": settings.SITE_URL
                + reverse("admin:complaints_complaint_change", args=[item.complaint_id]),
            }
            for item in items.select_related("complaint").order_by("created_at", "pk")
        ]
    }


KIND_CONTEXT: dict[str, Callable[[Notification, Complaint], dict[str, Any]]] = {
    K.MESSAGE: _message,
    K.INFORMATION_REQUEST: _message,
    K.DEADLINE_EXTENDED: _extension,
    K.PROGRESS_UPDATE: _progress,
    K.RESPONSE: _response,
    K.SUMMARY_RESOLUTION: _response,
    K.HOLDING_REPLY: _holding,
    K.ESCALATION_RECEIVED: _escalation,
    K.FINAL_RESPONSE: _final_response,
    K.MERGED: _merged,
    K.STAFF_ASSIGNED: _staff,
    K.STAFF_DUE_SOON: _staff,
    K.STAFF_BREACHED: _staff,
    K.STAFF_DELIVERY_DELAYED: _staff,
    K.STAFF_ACTIVITY: _staff,
    K.STAFF_REVIEW_ASSIGNED: _staff,
    K.STAFF_DIGEST: _digest,
}


def _handler_name(complaint: Complaint) -> str:
    if complaint.handler is not None:
        return complaint.handler.get_full_name() or complaint.handler.get_username()
    if complaint.category is not None:
        return str(_("the %(category)s team") % {"category": complaint.category.display_name})
    return str(_("our complaints team"))
