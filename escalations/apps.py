from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        # complaints may not import escalations: it reaches the review through this hook.
        from complaints import retention, reviews
        from escalations import services

        reviews.register(end_on_withdrawal=services.escalations_end_on_withdrawal)
        retention.eraser_register(services.escalations_erase)
