from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        # complaints may not import escalations: it reaches the review through these hooks.
        from complaints import retention, reviews
        from escalations import selectors, services

        reviews.register(
            open_deadline=selectors.open_review_deadline,
            end_on_withdrawal=services.escalations_end_on_withdrawal,
        )
        retention.eraser_register(services.escalations_erase)
