"""Turn a Notification into the email it promises, in its recipient's language and time zone.

The outbox knows nothing of what the messages are about: the app that writes them registers a
context provider (`use_context`) that returns, for a row, the template context with at least
`reference` (shown in the subject), `thread` (a stable id for the Message-ID) and `time_zone`.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification

ContextProvider = Callable[[Notification], dict[str, Any]]
_providers: list[ContextProvider] = []


def use_context(provider: ContextProvider) -> None:
    """Make `provider` the one that gives each notification its template context."""
    _providers[:] = [provider]


K = Notification.Kind
SUBJECTS: dict[str, Any] = {
    K.ACKNOWLEDGEMENT: _("We have received your complaint"),
    K.TRACKING_LINK: _("Your link to follow your complaint"),
    K.MESSAGE: _("A message about your complaint"),
    K.INFORMATION_REQUEST: _("We need more information about your complaint"),
    K.PROGRESS_UPDATE: _("An update on your complaint"),
    K.DEADLINE_EXTENDED: _("We need more time for your complaint"),
    K.RESPONSE: _("Our response to your complaint"),
    K.ESCALATION_RECEIVED: _("Your request for a review"),
    K.FINAL_RESPONSE: _("Our final response to your complaint"),
    K.HOLDING_REPLY: _("We need more time for our final response"),
    K.SUMMARY_RESOLUTION: _("Your complaint is resolved: our summary"),
    K.RESOLVED: _("Your complaint is resolved"),
    K.WITHDRAWN: _("Your complaint is withdrawn"),
    K.MERGED: _("Your complaint is handled together with another"),
    K.SURVEY: _("How did we handle your complaint?"),
    K.STAFF_ASSIGNED: _("A complaint was assigned to you"),
    K.STAFF_DUE_SOON: _("A deadline is due soon"),
    K.STAFF_BREACHED: _("A deadline was breached"),
    K.STAFF_DELIVERY_DELAYED: _("An email to the complainant is not getting out"),
    K.STAFF_ACTIVITY: _("The complainant wrote or acted"),
    K.STAFF_REVIEW_ASSIGNED: _("A review was assigned to you"),
    K.STAFF_DIGEST: _("Your daily digest: the complainants' activity"),
}
TEMPLATE_DIR = "notifications/email"
LETTER_TEMPLATE = "notifications/letter/letter.html"


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Return the email for `notification`, with a Message-ID for replies to thread on."""
    with translation.override(notification.language):
        context = email_context(notification)
        with timezone.override(ZoneInfo(context["time_zone"])):
            subject = str(SUBJECTS[notification.kind])
            if notification.kind != K.STAFF_DIGEST:  # a digest is about many cases
                subject = f"[{context['reference']}] {subject}"
            text = render_to_string(f"{TEMPLATE_DIR}/{notification.kind}.txt", context)
            html = select_template(
                [f"{TEMPLATE_DIR}/{notification.kind}.html", f"{TEMPLATE_DIR}/base.html"]
            ).render(context | {"subject": subject, "text": link_our_urls(text, context)})
    reply_to = [settings.REDRESS_REPLY_TO_EMAIL] if settings.REDRESS_REPLY_TO_EMAIL else None
    headers = {"Message-ID": message_id(notification, context["thread"])}
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


def link_our_urls(text: str, context: dict[str, Any]) -> str:
    """Return `text` escaped, with only the links we put in it clickable.

    Never urlize: complainants' names and messages are in the text, and a link they typed would
    become a clickable link in a genuine email from the organisation (phishing by relay).
    """
    html = str(escape(text))
    ours = ("tracking_url", "admin_url", "original_tracking_url")
    for url in filter(None, (context.get(name) for name in ours)):
        html = html.replace(escape(url), format_html('<a href="{}">{}</a>', url, url))
    return mark_safe(html)  # noqa: S308 - escaped above; only our own URLs became markup


def render_text(notification: Notification) -> tuple[str, dict[str, Any]]:
    """Return the message's text as it would be sent (email body or letter text) and the
    context it was rendered with, without writing anything: for checks before sending."""
    with translation.override(notification.language):
        context = email_context(notification)
        with timezone.override(ZoneInfo(context["time_zone"])):
            text = render_to_string(f"{TEMPLATE_DIR}/{notification.kind}.txt", context)
    return text, context


def letter_subject(notification: Notification) -> str:
    """Return the letter's subject line (the email's), in the complainant's language."""
    with translation.override(notification.language):
        return f"{SUBJECTS[notification.kind]} ({email_context(notification)['reference']})"


def render_letter_html(notification: Notification) -> str:
    """Return the letter as HTML: the email's text in a letter's layout, ready for print."""
    with translation.override(notification.language):
        context = email_context(notification)
    with (
        translation.override(notification.language),
        timezone.override(ZoneInfo(context["time_zone"])),
    ):
        text = render_to_string(f"{TEMPLATE_DIR}/{notification.kind}.txt", context)
        return render_to_string(
            LETTER_TEMPLATE,
            context
            | {
                "language": notification.language,
                "subject": SUBJECTS[notification.kind],
                "text": text,
                # Dated the day it is posted; before that, the day it is printed.
                "dated": timezone.localtime(notification.sent_at or timezone.now()),
            },
        )


def render_letter(notification: Notification) -> bytes:
    """Return the letter as a PDF to print and post."""
    # Imported here: WeasyPrint loads Pango when imported, which only letters need.
    from weasyprint import HTML

    return HTML(string=render_letter_html(notification)).write_pdf()


def message_id(notification: Notification, thread: str) -> str:
    """Return the Message-ID of the notification's email: it names the case, so an inbound reply
    can be matched to it, and it is the same every time the notification is sent.

    Delivery is at least once (a worker killed between the server's acceptance and marking the
    row sent sends it again): a repeat then carries the same Message-ID, which mail systems
    recognise as one message, and a reply to either copy threads back to the case.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "redress.invalid"
    written = int(notification.created_at.timestamp() * 1_000_000)
    return f"<{thread}.{notification.pk}.{written}@{domain}>"


def email_context(notification: Notification) -> dict[str, Any]:
    """Return the template context of `notification` from the registered provider."""
    if not _providers:
        raise LookupError("No notification context provider is registered (see use_context).")
    return {"notification": notification, **_providers[0](notification)}


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
