"""Redress in the console: the approval limits, and the ledger's entries awaiting approval."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from complaints.admin.readonly import ServicesOnlyAdminMixin
from complaints.choices import ApprovalStatus
from complaints.models import ApprovalLimit, RedressEntry
from complaints.querysets import case_rows_visible_to


@admin.register(ApprovalLimit)
class ApprovalLimitAdmin(SimpleHistoryAdmin, ModelAdmin):
    """Supervisors read the limits; changing them is for administrators (superusers), so no
    one raises their own four-eyes threshold."""

    list_display = ["group", "currency", "amount"]
    list_select_related = ["group"]
    list_filter = ["currency", "group"]


class StatusFilter(admin.SimpleListFilter):
    """Awaiting approval first: the list opens on what needs a second pair of eyes."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*ApprovalStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or ApprovalStatus.AWAITING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or ApprovalStatus.AWAITING
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(RedressEntry)
class RedressEntryAdmin(ServicesOnlyAdminMixin, ModelAdmin):
    list_display = [
        "case_column",
        "entry_type",
        "kind",
        "amount",
        "currency",
        "on",
        "recorded_by",
        "status",
        "created_at",
    ]
    list_display_links = None
    list_filter = [StatusFilter, "entry_type", "kind", "currency"]
    list_select_related = ["complaint", "recorded_by"]
    search_fields = ["complaint__reference"]
    search_help_text = _("Reference.")
    show_full_result_count = False
    ordering = ["created_at", "pk"]

    def get_queryset(self, request):
        return case_rows_visible_to(super().get_queryset(request), request.user)

    @admin.display(description=_("complaint"), ordering="complaint__reference")
    def case_column(self, obj):
        return format_html(
            '<a class="text-primary-600 dark:text-primary-500" href="{}#case-redress">{}</a>',
            reverse("admin:complaints_complaint_change", args=[obj.complaint_id]),
            obj.complaint.display_reference,
        )
