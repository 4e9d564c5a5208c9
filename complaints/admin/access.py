"""The access log in the admin: supervisors read who opened what, per case and per person."""

from __future__ import annotations

import ipaddress

from axes.helpers import get_client_ip_address
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints import services
from complaints.admin.readonly import ServicesOnlyAdminMixin
from complaints.models import CaseAccess, Complaint
from complaints.querysets import case_rows_visible_to


def record_access(
    request, kind: str, complaint: Complaint | None = None, detail: str = "", *, seen: bool = False
) -> None:
    """Log that the staff member behind `request` opened `complaint` (or an export); `seen`:
    they have seen the case itself, so its new-activity marker goes (in the same statement)."""
    # The address as the sign-in lockouts see it (AXES_CLIENT_IP_CALLABLE), proxy header included.
    address = get_client_ip_address(request) or ""
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        address = None
    services.case_access_record(
        user=request.user,
        kind=kind,
        complaint=complaint,
        detail=detail,
        address=address,
        seen_activity_at=complaint.activity_at if seen and complaint is not None else None,
    )


class PersonFilter(admin.SimpleListFilter):
    """The staff who appear in the log, by name: the log of one person."""

    title = _("staff member")
    parameter_name = "person"

    def lookups(self, request, model_admin):
        people = (
            model_admin.get_queryset(request)
            .order_by("username")
            .values_list("user_id", "username")
            .distinct()
        )
        return [(str(pk), name) for pk, name in people if pk is not None]

    def queryset(self, request, queryset):
        return queryset.filter(user_id=self.value()) if self.value() else queryset


@admin.register(CaseAccess)
class CaseAccessAdmin(ServicesOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "username", "kind", "complaint", "detail", "address"]
    list_filter = [PersonFilter, "kind"]
    list_select_related = ["complaint"]
    search_fields = ["username", "complaint__reference"]
    search_help_text = _("Username or reference.")
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request):
        return case_rows_visible_to(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("complaints.view_caseaccess")
