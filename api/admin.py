"""Supervisors manage API clients, webhook endpoints and see the deliveries; nobody else."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import services
from api.models import ApiClient, EventKind, Scope, WebhookDelivery, WebhookEndpoint

# Only the supervisors' role carries it. has_perm reads the permissions the admin has already
# loaded for the request, so the sidebar's check of each model here costs no query.
SUPERVISOR_PERMISSION = "complaints.view_all_complaints"


def is_supervisor(user) -> bool:
    return user.is_active and user.has_perm(SUPERVISOR_PERMISSION)


class SupervisorsOnly:
    """Keys and webhook secrets are the organisation's: supervisors only, whatever the perms."""

    def has_module_permission(self, request) -> bool:
        return is_supervisor(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_supervisor(request.user)

    def has_add_permission(self, request) -> bool:
        return is_supervisor(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_supervisor(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "channel", "account_pattern", "rate_limit", "embed_origins"]


@admin.register(ApiClient)
class ApiClientAdmin(SupervisorsOnly, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "channel", "key_prefix", "last_used_at", "revoked_at"]
    list_filter = ["channel"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "rotate_key"]

    @admin.display(description=_("scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return ", ".join(client.scopes)

    def save_model(self, request, obj, form, change) -> None:
        key = None
        if not change:
            obj.created_by = request.user
            key = services.api_client_issue_key(client=obj)
        super().save_model(request, obj, form, change)
        if key is not None:
            self._show_key(request, obj, key)

    def _show_key(self, request, client: ApiClient, key: str) -> None:
        self.message_user(
            request,
            _("The key of %(client)s, shown this once: %(key)s") % {"client": client, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected clients' keys"))
    def revoke(self, request, queryset) -> None:
        count = sum(services.api_client_revoke(client=client) for client in queryset)
        self.message_user(
            request,
            ngettext("%(count)d client revoked.", "%(count)d clients revoked.", count)
            % {"count": count},
        )

    @admin.action(description=_("Give the selected clients new keys (the old ones stop working)"))
    def rotate_key(self, request, queryset) -> None:
        for client in queryset.filter(revoked_at__isnull=True):
            self._show_key(request, client, services.api_client_rotate_key(client=client))


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("events"), choices=EventKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "kinds", "personal_data", "client", "is_active", "secret"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SupervisorsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "personal_data", "client", "is_active", "created_at"]
    list_filter = ["is_active", "personal_data"]


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Failed")),
            ("retrying", _("Retrying after an error")),
            ("delivered", _("Delivered")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=WebhookDelivery.Status.FAILED)
        if self.value() == "retrying":
            return queryset.filter(status=WebhookDelivery.Status.PENDING, attempts__gt=0)
        if self.value() == "delivered":
            return queryset.filter(status=WebhookDelivery.Status.DELIVERED)
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SupervisorsOnly, admin.ModelAdmin):
    list_display = [
        "event_kind",
        "complaint",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = [DeliveryFilter, "status", "endpoint"]
    list_select_related = ["event", "event__complaint", "endpoint"]
    search_fields = ["event__complaint__reference", "message_id"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["resend"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("event"))
    def event_kind(self, delivery: WebhookDelivery) -> str:
        return delivery.event.get_kind_display()

    @admin.display(description=_("complaint"))
    def complaint(self, delivery: WebhookDelivery) -> str:
        return delivery.event.complaint.display_reference

    @admin.display(description=_("last error"))
    def short_error(self, delivery: WebhookDelivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description=_("Send the selected deliveries again"))
    def resend(self, request, queryset) -> None:
        from api.webhooks import webhook_delivery_resend

        count = sum(webhook_delivery_resend(delivery=row) for row in queryset)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued.", "%(count)d deliveries queued.", count)
            % {"count": count},
        )
