"""Policies and categories: supervisors edit the promises; every change is versioned.

Deadlines are stored on each case when it is received, so saving a policy here moves no open
case; it only changes what later complaints are promised.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from complaints import clock
from complaints.choices import Remedy
from complaints.models import WEEKDAYS, Category, ComplaintPolicy, PolicyTarget, ResponseTemplate


class PolicyTargetInline(TabularInline):
    model = PolicyTarget
    extra = 0


class ComplaintPolicyForm(forms.ModelForm):
    working_days = forms.TypedMultipleChoiceField(
        label=_("working days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Give at least one working day.")},
    )

    class Meta:
        model = ComplaintPolicy
        fields = "__all__"


def deadline_preview(policy: ComplaintPolicy) -> list[dict]:
    """Return, per promise, the aim and limit a complaint received now would be given."""
    calendar, now = policy.calendar(), clock.now()
    rows = []
    for target in policy.targets.all():
        deadline = calendar.deadline(now, target.as_target())
        rows.append(
            {
                "target": target,
                "aim": deadline.aim and calendar.local(deadline.aim),
                "limit": calendar.local(deadline.limit),
            }
        )
    return rows


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(SimpleHistoryAdmin, ModelAdmin):
    form = ComplaintPolicyForm
    list_display = ["name", "is_default", "country", "subdivision", "time_zone", "last_updated"]
    inlines = [PolicyTargetInline]
    history_list_display = ["last_updated"]
    readonly_fields = ["last_updated"]
    change_form_template = "admin/complaints/complaintpolicy/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_default", "last_updated"]}),
        (
            _("Business calendar"),
            {
                "fields": [
                    ("country", "subdivision"),
                    "time_zone",
                    "working_days",
                    "closure_days",
                    "close_of_business",
                ]
            },
        ),
        (_("Deadlines"), {"fields": ["warning_hours", "auto_escalate_on_breach"]}),
        (
            _("Published"),
            {"fields": ["external_routes", "external_route_time_limit", "public_wording"]},
        ),
    ]

    def revert_disabled(self, request, obj=None) -> bool:
        # Reverting would write an old version past the validation and the history's intent.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        obj.last_updated = clock.now().date()
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        policy = self.get_object(request, object_id)
        extra = {"deadline_preview": deadline_preview(policy) if policy else []}
        if policy is not None:
            extra["preview_time_zone"] = policy.time_zone
            extra["preview_now"] = clock.now().astimezone(policy.calendar().tz)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    list_display = ["__str__", "policy", "is_active", "position"]
    list_select_related = ["parent", "policy"]
    list_filter = ["is_active", "policy"]
    filter_horizontal = ["handlers"]


class ResponseTemplateForm(forms.ModelForm):
    remedies = forms.MultipleChoiceField(
        label=_("Remedies"),
        choices=Remedy.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ResponseTemplate
        fields = [
            "name",
            "category",
            "is_active",
            "findings",
            "actions",
            "reasoning",
            "remedies",
            "outcome",
        ]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(SimpleHistoryAdmin, ModelAdmin):
    form = ResponseTemplateForm
    list_display = ["name", "category", "outcome", "is_active"]
    list_select_related = ["category__parent"]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "findings"]

    def revert_disabled(self, request, obj=None) -> bool:
        return True
