from django.urls import path

from inbound.webhook import inbound_webhook

urlpatterns = [
    # inbound email pushed by a provider (django-anymail), when a webhook secret is set
    path("<slug:esp>/", inbound_webhook, name="inbound_webhook"),
]
