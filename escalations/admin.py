from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from escalations.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    list_display = ["complaint", "state", "review_by", "reviewer"]
    list_select_related = ["complaint", "reviewer"]
    readonly_fields = ["complaint", "state", "requested_at", "review_by"]
