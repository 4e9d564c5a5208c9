from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import Category, ComplaintPolicy, PolicyTarget


class PolicyTargetInline(admin.TabularInline):
    model = PolicyTarget
    extra = 0


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_default", "country", "subdivision", "time_zone", "last_updated"]
    inlines = [PolicyTargetInline]
    history_list_display = ["last_updated"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "policy", "is_active", "position"]
    list_select_related = ["parent", "policy"]
    filter_horizontal = ["handlers"]
