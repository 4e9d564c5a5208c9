"""Turn a Notification into the email it promises, in its recipient's language and time zone."""

from __future__ import annotations

from email.utils import make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from complaints.choices import DeadlineKind, Remedy
from complaints.models import Complaint, DeadlineExtension, Message
from complaints.roles import SUPERVISORS
from notifications.models import Notification, StaffDigestItem

K = Notification.Kind
SUBJECTS = {
    K.ACKNOWLEDGEMENT: _("We have received your complaint"),
    K.TRACKING_LINK: _("Your link to follow your complaint"),
    K.MESSAGE: _("A message about your complaint"),
    K.INFORMATION_REQUEST: _("We need more information about your complaint"),
    K.PROGRESS_UPDATE: _("An update on your complaint"),
    K.DEADLINE_EXTENDED: _("We need more time for your complaint"),
    K.RESPONSE: _("Our response to your complaint"),
    K.ESCALATION_RECEIVED: _("Your request for a review"),
    K.FINAL_RESPONSE: _("Our final response to your complaint"),
    K.RESOLVED: _("Your complaint is resolved"),
    K.WITHDRAWN: _("Your complaint is withdrawn"),
    K.SURVEY: _("How did we handle your complaint?"),
    K.STAFF_ASSIGNED: _("A complaint was assigned to you"),
    K.STAFF_DUE_SOON: _("A deadline is due soon"),
    K.STAFF_BREACHED: _("A deadline was breached"),
    K.STAFF_ACTIVITY: _("The complainant wrote or acted"),
    K.STAFF_REVIEW_ASSIGNED: _("A review was assigned to you"),
    K.STAFF_DIGEST: _("Your daily digest: the complainants' activity"),
}
TEMPLATE_DIR = "notifications/email"
# What the complainant did, as the handler's email says it.
ACTIVITY = {
    "customer_message": _("The complainant sent a message."),
    "record_customer_reply": _("The complainant answered your request for information."),
    "file_added": _("The complainant added a file."),
    "resolve": _("The complainant accepted the response."),
    "escalate": _("The complainant asked for a review of the response."),
    "withdraw": _("The complainant withdrew the complaint."),
}


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Return the email for `notification`, with a Message-ID for replies to thread on."""
    complaint = notification.complaint
    with translation.override(notification.language), timezone.override(_zone(complaint)):
        context = email_context(notification)
        subject = str(SUBJECTS[notification.kind])
        if notification.kind != K.STAFF_DIGEST:  # a digest is about many cases
            subject = f"[{complaint.display_reference}] {subject}"
        text = render_to_string(f"{TEMPLATE_DIR}/{notification.kind}.txt", context)
        html = select_template(
            [f"{TEMPLATE_DIR}/{notification.kind}.html", f"{TEMPLATE_DIR}/base.html"]
        ).render(context | {"subject": subject, "text": escape(text)})
    reply_to = [settings.REDRESS_REPLY_TO_EMAIL] if settings.REDRESS_REPLY_TO_EMAIL else None
    headers = {"Message-ID": message_id(notification)}
    thread = _thread_start(notification)
    if thread:
        headers["In-Reply-To"] = headers["References"] = thread
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        reply_to=reply_to,
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def message_id(notification: Notification) -> str:
    """Return a Message-ID that names the case, so an inbound reply can be matched to it."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "redress.invalid"
    idstring = f"{notification.complaint.reference}.{notification.pk}"
    return make_msgid(idstring=idstring, domain=domain)


def email_context(notification: Notification) -> dict[str, Any]:
    complaint = notification.complaint
    context: dict[str, Any] = {
        "notification": notification,
        "complaint": complaint,
        "reference": complaint.display_reference,
        "organisation": settings.REDRESS_ORGANISATION_NAME,
        "policy": complaint.policy,
        "tracking_url": settings.SITE_URL + complaint.get_absolute_url(),
        "handler_name": _handler_name(complaint),
        "latest_extension": complaint.extensions.order_by("-created_at", "-pk").first(),
    }
    extra = KIND_CONTEXT.get(notification.kind)
    if extra is not None:
        context.update(extra(notification, complaint))
    return context


def _message(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    return {"message": Message.objects.get(pk=notification.context["message_id"])}


def _extension(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    return {"extension": DeadlineExtension.objects.get(pk=notification.context["extension_id"])}


def _progress(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    events = complaint.events.filter(is_public=True).order_by("-created_at", "-pk")[:5]
    return {"events": list(reversed(events)), "expected": complaint.resolve_by}


def _response(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    # Plain strings: the text templates turn autoescaping off, and then `join` refuses lazy labels.
    labels = [str(Remedy(value).label) for value in complaint.remedies if value in Remedy]
    return {"remedies": labels}


def _escalation(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    return {"escalation": complaint.escalations.order_by("-requested_at", "-pk").first()}


def _staff(notification: Notification, complaint: Complaint) -> dict[str, Any]:
    deadline_kind = notification.context.get("deadline_kind", "")
    return {
        "admin_url": settings.SITE_URL
        + reverse("admin:complaints_complaint_change", args=[complaint.pk]),
        "deadline_label": DeadlineKind(deadline_kind).label if deadline_kind else "",
        "deadline_at": parse_datetime(notification.context.get("deadline_at", ""))
        or complaint.next_deadline,
        "activity": ACTIVITY.get(notification.context.get("action", ""), ""),
        "is_supervisor": notification.recipient_user is not None
        and notification.recipient_user.groups.filter(name=SUPERVISORS).exists(),
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


KIND_CONTEXT = {
    K.MESSAGE: _message,
    K.INFORMATION_REQUEST: _message,
    K.DEADLINE_EXTENDED: _extension,
    K.PROGRESS_UPDATE: _progress,
    K.RESPONSE: _response,
    K.ESCALATION_RECEIVED: _escalation,
    K.FINAL_RESPONSE: _escalation,
    K.STAFF_ASSIGNED: _staff,
    K.STAFF_DUE_SOON: _staff,
    K.STAFF_BREACHED: _staff,
    K.STAFF_ACTIVITY: _staff,
    K.STAFF_REVIEW_ASSIGNED: _staff,
    K.STAFF_DIGEST: _digest,
}


def _handler_name(complaint: Complaint) -> str:
    if complaint.handler is not None:
        return complaint.handler.get_full_name() or complaint.handler.get_username()
    if complaint.category is not None:
        return str(_("the %(category)s team") % {"category": complaint.category.name})
    return str(_("our complaints team"))


def _zone(complaint: Complaint) -> ZoneInfo:
    return ZoneInfo(complaint.policy.time_zone)


def _thread_start(notification: Notification) -> str:
    """Return the Message-ID of the first email on the case to this recipient, if any."""
    if notification.kind == K.ACKNOWLEDGEMENT:
        return ""
    return (
        Notification.objects.filter(
            complaint_id=notification.complaint_id,
            recipient=notification.recipient,
            status=Notification.Status.SENT,
        )
        .exclude(message_id="")
        .order_by("sent_at", "pk")
        .values_list("message_id", flat=True)
        .first()
        or ""
    )
