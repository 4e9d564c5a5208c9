from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        from complaints import retention
        from escalations.services import escalations_erase

        retention.eraser_register(escalations_erase)
