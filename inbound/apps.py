from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbound"
    verbose_name = _("Inbound email")

    def ready(self) -> None:
        # Connect the webhook receiver to django-anymail's inbound signal.
        from complaints import retention
        from inbound import webhook  # noqa: F401
        from inbound.retention import inbound_emails_erase

        retention.eraser_register(inbound_emails_erase)
