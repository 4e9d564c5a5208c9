from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("inbound/", include("inbound.urls")),
    path("api/", include("api.urls")),
    # the public form framed in the organisation's dashboard, from a signed token (api)
    path("embed/", include("api.embed_urls")),
    path("", include("publicsite.urls")),
]
