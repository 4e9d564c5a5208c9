from django.contrib import admin
from django.urls import include, path

from notifications.inbound.webhook import inbound_webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # inbound email pushed by a provider (django-anymail), when a webhook secret is set
    path("inbound/<slug:esp>/", inbound_webhook, name="inbound_webhook"),
    path("api/", include("api.urls")),
    # the public form framed in the organisation's dashboard, from a signed token (api)
    path("embed/", include("api.embed_urls")),
    path("", include("complaints.urls")),
]
