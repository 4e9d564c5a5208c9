from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("redress/favicon.svg")


urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", FaviconView.as_view()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("inbound/", include("inbound.urls")),
    path("api/", include("api.urls")),
    # the public form framed in the organisation's dashboard, from a signed token (api)
    path("embed/", include("api.embed_urls")),
    path("", include("publicsite.urls")),
]
