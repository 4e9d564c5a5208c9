from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin

from notifications.models import Notification
from notifications.services import notification_resend


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Delivery failed")),
            ("retrying", _("Retrying after an error")),
            ("waiting", _("Not sent yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=Notification.Status.FAILED)
        if self.value() == "retrying":
            return queryset.filter(status=Notification.Status.PENDING, attempts__gt=0)
        if self.value() == "waiting":
            return queryset.filter(
                status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
            )
        return queryset


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = [
        "kind",
        "complaint",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "short_error",
    ]
    list_filter = [DeliveryFilter, "status", "kind"]
    list_select_related = ["complaint"]
    search_fields = ["complaint__reference", "recipient", "message_id"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["resend"]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, notification: Notification) -> str:
        return notification.last_error[:80]

    @admin.action(description=_("Resend the selected failed notifications"), permissions=["change"])
    def resend(self, request, queryset):
        count = sum(notification_resend(notification=row) for row in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d notification is back in the outbox.",
                "%(count)d notifications are back in the outbox.",
                count,
            )
            % {"count": count},
        )

    def has_add_permission(self, request):
        return False


# inbound email (issue 7): held and unreadable emails, in their own module.
from notifications.inbound import admin as inbound_admin  # noqa: E402,F401
