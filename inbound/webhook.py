"""Inbound webhooks of email providers (django-anymail), feeding the same service as IMAP.

Served at /inbound/<esp>/ only when ANYMAIL["WEBHOOK_SECRET"] is set: the provider posts with
that basic-auth secret, so nobody else can post an email as if it came from a complainant.
"""

from __future__ import annotations

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from inbound.services import inbound_email_process

VIEWS = {
    "mailgun": MailgunInboundWebhookView.as_view(),
    "mailjet": MailjetInboundWebhookView.as_view(),
    "postmark": PostmarkInboundWebhookView.as_view(),
    "sendgrid": SendGridInboundWebhookView.as_view(),
    "sparkpost": SparkPostInboundWebhookView.as_view(),
}


@csrf_exempt
def inbound_webhook(request, esp: str):
    view = VIEWS.get(esp)
    if view is None or not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        raise Http404("No inbound webhook here.")
    return view(request)


@receiver(inbound, dispatch_uid="redress-inbound-email")
def inbound_received(sender, event, esp_name: str, **kwargs) -> None:
    inbound_email_process(raw=event.message.as_bytes(), source=f"webhook:{esp_name.lower()}"[:200])
