"""Policies and categories: supervisors edit the promises; every change is versioned.

Deadlines are stored on each case when it is received, so saving a policy here moves no open
case; it only changes what later complaints are promised.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold import widgets
from unfold.admin import ModelAdmin, TabularInline

from complaints import clock, rulepacks
from complaints.choices import CauseCode, ProductGroup, Remedy, RulePackCode
from complaints.models import WEEKDAYS, Category, ComplaintPolicy, PolicyTarget, ResponseTemplate


class PolicyTargetInline(TabularInline):
    model = PolicyTarget
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A table's cells have no <label>; screen readers get each field's name this way.
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            widget = getattr(formfield.widget, "widget", formfield.widget)
            widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield


CLASSES = " ".join(widgets.DATETIME_CLASSES)


class DateListWidget(forms.Widget):
    """One date picker per closure day, and a few empty ones to add more."""

    EMPTY = 3

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False

    def render(self, name, value, attrs=None, renderer=None):
        days = [day for day in (value or []) if day]
        boxes = [*days, *[""] * self.EMPTY]
        return format_html(
            '<ul class="date-list flex flex-wrap gap-2">{}</ul>',
            format_html_join(
                "",
                '<li><input type="date" name="{}" value="{}" class="{}" aria-label="{}"></li>',
                (
                    (
                        name,
                        day,
                        " ".join(widgets.DATETIME_CLASSES),
                        _("Closure day %(n)d") % {"n": n},
                    )
                    for n, day in enumerate(boxes, start=1)
                ),
            ),
        )


class DateListField(forms.Field):
    widget = DateListWidget

    def prepare_value(self, value):
        return [str(day) for day in value or []]

    def to_python(self, value) -> list[str]:
        """Return the dates given, as sorted unique ISO strings; name any that is not a date."""
        texts = [text.strip() for text in (value or []) if text and text.strip()]
        days, wrong = set(), []
        for text in texts:
            try:
                days.add(dt.date.fromisoformat(text))
            except ValueError:
                wrong.append(text)
        if wrong:
            raise forms.ValidationError(
                _("“%(days)s” is not a date; pick one with the date picker.")
                % {"days": "”, “".join(wrong)}
            )
        return [day.isoformat() for day in sorted(days)]


class ComplaintPolicyForm(forms.ModelForm):
    closure_days = DateListField(
        label=_("Extra closure days"),
        required=False,
        help_text=_(
            "Days the organisation is closed besides the public holidays. Empty a box to remove "
            "its day; save to get more empty boxes."
        ),
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=widgets.UnfoldAdminCheckboxSelectMultipleWidget,
        error_messages={"required": _("Give at least one working day.")},
    )

    rule_packs = forms.MultipleChoiceField(
        label=_("Rule packs"),
        choices=RulePackCode.choices,
        widget=widgets.UnfoldAdminCheckboxSelectMultipleWidget,
        required=False,
        help_text=_(
            "A regulator's complaint rules: DISP adds the eight-week (payment services: 15 "
            "business days) final-response clock, the holding reply, the summary resolution "
            "communication, the ombudsman statements and three years' records; VSBG adds the "
            "consumer arbitration statements. Messages lacking a required statement are refused."
        ),
    )

    class Meta:
        model = ComplaintPolicy
        fields = "__all__"

    def clean_rule_packs(self) -> list[str]:
        return [code for code in RulePackCode.values if code in self.cleaned_data["rule_packs"]]


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
    list_display = [
        "name",
        "is_default",
        "needs_review",
        "country",
        "subdivision",
        "time_zone",
        "last_updated",
    ]
    inlines = [PolicyTargetInline]
    history_list_display = ["last_updated"]
    readonly_fields = [
        "last_updated",
        "needs_review",
        "deadline_preview_table",
        "rule_pack_settings_missing",
    ]
    change_form_template = "admin/complaints/complaintpolicy/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_default", "needs_review", "last_updated"]}),
        (
            _("Business calendar"),
            {
                "fields": [
                    ("country", "subdivision"),
                    "time_zone",
                    "working_days",
                    "closure_days",
                    "close_of_business",
                    "deadline_preview_table",
                ]
            },
        ),
        (
            _("Deadlines"),
            {
                "fields": [
                    "warning_hours",
                    "auto_escalate_on_breach",
                    "pause_while_awaiting_complainant",
                ]
            },
        ),
        (
            _("Published"),
            {
                "fields": [
                    "language",
                    "public_wording",
                    "external_routes",
                    "external_route_time_limit",
                ],
                "description": _(
                    "The policy page states each promise from the numbers above; write here "
                    "only what goes around them, so that the page can never contradict them."
                ),
            },
        ),
        (
            _("Rule packs"),
            {
                "fields": [
                    "rule_packs",
                    "ombudsman_consent",
                    "arbitration_participation",
                    "arbitration_board",
                    "rule_pack_settings_missing",
                ],
                "description": _(
                    "The regulators' rules this policy keeps, and the settings their statements "
                    "need (DISP: the ombudsman consent; VSBG: consumer arbitration and the board)."
                ),
            },
        ),
        (
            _("Published, in German"),
            {
                "fields": [
                    "public_wording_de",
                    "external_routes_de",
                    "external_route_time_limit_de",
                ],
                "description": _("Shown to readers in German; empty, the text above shows."),
            },
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
        # A person saved it: whatever Redress created by itself has now been reviewed.
        obj.needs_review = False
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        self._flag_missing_settings(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._flag_missing_settings(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _flag_missing_settings(self, request, policy: ComplaintPolicy) -> None:
        for text in rulepacks.settings_missing(policy).values():
            self.message_user(
                request,
                format_html(
                    "{} {}", text, _("Until it is set, final responses under it are refused.")
                ),
                messages.WARNING,
            )

    @admin.display(description=_("Missing for the rule packs"))
    def rule_pack_settings_missing(self, policy: ComplaintPolicy | None):
        if policy is None or policy.pk is None:
            return "—"
        missing = rulepacks.settings_missing(ComplaintPolicy.objects.get(pk=policy.pk))
        if not missing:
            return _("Nothing: every statement the rule packs require can be made.")
        return format_html(
            '<ul class="text-red-600">{}</ul>',
            format_html_join("", "<li>{}</li>", ((text,) for text in missing.values())),
        )

    @admin.display(description=_("Deadline preview"))
    def deadline_preview_table(self, policy: ComplaintPolicy | None):
        """Show, beside the calendar, the deadlines a complaint received now would get."""
        if policy is None or policy.pk is None:
            return _("Save the policy to preview its deadlines.")
        # The saved policy: on a form with errors the instance holds the rejected values.
        policy = ComplaintPolicy.objects.get(pk=policy.pk)
        now = clock.now().astimezone(policy.calendar().tz)
        return format_html(
            '<div id="deadline-preview"><p class="font-semibold">{}</p><p class="text-xs">{}</p>'
            '<table class="preview-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
            "</thead><tbody>{}</tbody></table></div>",
            _("Deadlines a complaint received now would get (%(tz)s)") % {"tz": policy.time_zone},
            _(
                "Received %(now)s. Saved promises only: save to preview changes. Open cases keep "
                "the deadlines they were given."
            )
            % {"now": date_format(now, "D j M Y, H:i")},
            _("Promise"),
            _("Aim"),
            _("Limit"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row["target"],
                        date_format(row["aim"], "D j M Y, H:i") if row["aim"] else "—",
                        date_format(row["limit"], "D j M Y, H:i"),
                    )
                    for row in deadline_preview(policy)
                ),
            ),
        )


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    list_display = [
        "__str__",
        "name_de",
        "policy",
        "product_group_column",
        "cause_column",
        "payment_service_column",
        "is_active",
        "position",
    ]
    list_select_related = ["parent", "policy"]
    list_filter = ["is_active", "policy", "product_group", "cause_code", "is_payment_service"]
    filter_horizontal = ["handlers"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "name_de", "slug", "parent", "policy", "position", "is_active"]},
        ),
        (_("Handling team"), {"fields": ["handlers"]}),
        (
            _("FCA complaints return (DISP 1 Annex 1)"),
            {
                "fields": ["product_group", "cause_code", "is_payment_service"],
                "description": _(
                    "Optional. The data return groups by product group and cause once any "
                    "category has them; a sub-type left empty takes its group's."
                ),
            },
        ),
    ]

    # The values the return counts by: a sub-type's own, else its group's (shown in italics).

    @admin.display(description=_("FCA product group"), ordering="product_group")
    def product_group_column(self, category: Category):
        value = category.fca_classification().product_group
        return _inherited(category, "product_group", ProductGroup(value).label if value else "")

    @admin.display(description=_("FCA cause"), ordering="cause_code")
    def cause_column(self, category: Category):
        value = category.fca_classification().cause_code
        return _inherited(category, "cause_code", CauseCode(value).label if value else "")

    @admin.display(description=_("payment services"), boolean=True)
    def payment_service_column(self, category: Category) -> bool:
        return category.fca_classification().is_payment_service


def _inherited(category: Category, field: str, label: object):
    if not label:
        return "—"
    if getattr(category, field):
        return label
    return format_html('<em title="{}">{}</em>', _("From its group"), label)


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
            "body",
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
