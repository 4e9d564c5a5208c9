from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ["display_reference", "complainant_name", "category", "state", "handler"]
    list_select_related = ["category__parent", "handler"]
    list_filter = ["state", "channel"]
    search_fields = ["reference", "complainant_email", "complainant_name"]
    readonly_fields = ["reference", "state", "received_at", "next_deadline"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
