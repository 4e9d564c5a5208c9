from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("Apps and webhooks")

    def ready(self) -> None:
        from api import schema  # noqa: F401 - registers the API key with drf-spectacular
        from api.services import api_submissions_erase
        from complaints import retention

        # A client's idempotency key may hold an order number: it goes with the case's data.
        retention.eraser_register(api_submissions_erase)
