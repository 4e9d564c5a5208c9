from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin

from notifications.models import Notification, StaffPreference
from notifications.preferences import CHOOSABLE
from notifications.services import notification_resend

# Who may see which case's rows is the queue's rule, which the outbox does not know: the app
# that owns cases registers it (complaints.apps); until then only superusers see rows.
_visibility: list[Callable[[QuerySet, Any], QuerySet]] = []


def use_visibility(rule: Callable[[QuerySet, Any], QuerySet]) -> None:
    """Make `rule(rows, user)` the filter of every outbox page that lists rows about cases."""
    _visibility[:] = [rule]


def visible_rows(rows: QuerySet, user) -> QuerySet:
    if _visibility:
        return _visibility[0](rows, user)
    return rows if user.is_superuser else rows.none()


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Delivery failed")),
            ("retrying", _("Retrying after an error")),
            ("waiting", _("Not sent yet")),
            ("to_post", _("Letters to post")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=Notification.Status.FAILED)
        if self.value() == "retrying":
            return queryset.filter(status=Notification.Status.PENDING, attempts__gt=0)
        if self.value() == "to_post":
            return queryset.filter(
                channel=Notification.Channel.LETTER, status=Notification.Status.PENDING
            )
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
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "short_error",
    ]
    list_filter = [DeliveryFilter, "channel", "status", "kind"]
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

    def get_queryset(self, request):
        return visible_rows(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False


@admin.register(StaffPreference)
class StaffPreferenceAdmin(ModelAdmin):
    """Each staff member chooses, per kind of event, whether it reaches them by email."""

    list_display = ["kind", "delivery"]
    fields = ["kind", "delivery"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [
                (value, label) for value, label in Notification.Kind.choices if value in CHOOSABLE
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.user = request.user
        super().save_model(request, obj, form, change)

    def _own(self, request, obj=None) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and (obj is None or obj.user_id == request.user.pk)
        )

    def has_module_permission(self, request):
        return self._own(request)

    def has_view_permission(self, request, obj=None):
        return self._own(request, obj)

    def has_add_permission(self, request):
        return self._own(request)

    def has_change_permission(self, request, obj=None):
        return self._own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._own(request, obj)
