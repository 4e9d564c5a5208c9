"""The two clocks in the console: badges, the queue's filters for a class of cases, the
regulator's suspension (an action on the queue, and its own page for supervisors)."""

from __future__ import annotations

import datetime as dt
import functools
import html

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin, TabularInline

from complaints import clock, rulepacks, suspensions
from complaints.actors import Actor
from complaints.admin.theme import themed
from complaints.choices import DeadlineKind, ProductGroup
from complaints.exceptions import ComplaintError
from complaints.models import Complaint, RegulatorySuspension, SuspendedComplaint
from complaints.querysets import DeadlineState


def internal_state(case: Complaint, now: dt.datetime) -> str:
    """Return the badge of the case's internal clock: paused, or its next deadline's state."""
    if case.clock_paused_at is not None and case.is_open:
        return DeadlineState.PAUSED
    # The queue's rows carry it (with_deadline_state, which its filters share); the case page
    # reads it from the row, as regulatory_state does: compiling the CASE into the case's own
    # query cost more than the whole badge (profile_pages.py).
    state = getattr(case, "deadline_state", None)
    return state if state is not None else next_deadline_state(case, now)


def next_deadline_state(case: Complaint, now: dt.datetime) -> str:
    """Return with_deadline_state's `deadline_state` of one case, from its row."""
    if not case.is_open or case.next_deadline is None:
        return DeadlineState.NONE
    if case.next_deadline < now:
        return DeadlineState.OVERDUE
    if case.due_soon_at is not None and case.due_soon_at <= now:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def regulatory_state(case: Complaint, now: dt.datetime) -> str:
    """Return the badge of the regulator's clock (from the cache columns; no query)."""
    if not case.is_open or case.regulatory_deadline is None:
        return DeadlineState.NONE
    if case.regulatory_suspended_until is not None and case.regulatory_suspended_until > now:
        return DeadlineState.SUSPENDED
    if case.regulatory_deadline < now:
        return DeadlineState.OVERDUE
    if case.regulatory_due_soon_at is not None and case.regulatory_due_soon_at <= now:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


@functools.cache
def _state_labels(language: str | None) -> dict[str, str]:
    """Return each badge's label, escaped, in `language` (the active one): the queue draws a
    hundred badges per page, and translating the same six labels for each cost more than the
    rest of the row."""
    return {state.value: conditional_escape(state.label) for state in DeadlineState}


@functools.cache
def _state_texts(language: str | None) -> dict[str, str]:
    return {state.value: str(state.label) for state in DeadlineState}


@functools.cache
def _kind_labels(language: str | None) -> dict[str, str]:
    return {kind.value: str(kind.label) for kind in DeadlineKind}


def internal_badge(case: Complaint, now: dt.datetime, *, title: str = ""):
    """Return the badge of the case's internal clock, naming the kind of its next deadline."""
    language = get_language()
    kind = case.next_deadline_kind
    detail = _kind_labels(language).get(kind, kind)
    return _badge(internal_state(case, now), case.next_deadline, detail, title, language)


def badge(state: str, when: dt.datetime | None, detail: str = "", *, title: str = ""):
    """Return a deadline's badge: its state, then what it is (`detail`) and when; `title` is
    what hovering over it shows (the queue names the other clock there)."""
    return _badge(state, when, detail, title, get_language())


def _badge(state: str, when: dt.datetime | None, detail: str, title: str, language: str | None):
    # A hundred of these per queue page: the labels come escaped from their caches, and the
    # rest is escaped with the standard library's escape (Django's checks each argument for a
    # lazy string first).
    title = f' title="{html.escape(title)}"' if title else ""
    if state == DeadlineState.NONE or when is None:
        if state == DeadlineState.PAUSED:
            return mark_safe(
                f'<span class="deadline deadline-paused"{title}>'
                f"{_state_labels(language)[DeadlineState.PAUSED]}</span>"
            )
        return "—"
    label = _state_labels(language)[state]
    detail = f"{html.escape(detail)} " if detail else ""
    return mark_safe(
        f'<span class="deadline deadline-{html.escape(state)}">{label}</span>'
        f' <span class="deadline-when"{title}>{detail}{_when(when, language)}</span>'
    )


def _when(when: dt.datetime, language: str | None) -> str:
    return html.escape(when_text(when, language))


def when_text(when: dt.datetime, language: str | None = None) -> str:
    """Return a deadline as its badge shows it ("27 Nov 14:00"), in `language` (the active
    one if None)."""
    local = timezone.localtime(when)
    day = _day_text(local.date(), language or get_language())
    return f"{day} {local.hour:02d}:{local.minute:02d}"


@functools.lru_cache(maxsize=1024)
def _day_text(day: dt.date, language: str | None) -> str:
    # Django's date formatting is some 40 µs a date, and a queue page draws up to two hundred
    # of them over a few dozen days: each day is formatted once per language.
    # Translators: a deadline's day on its badge, in Django's date format: "27 Nov".
    return dateformat.format(day, pgettext("deadline badge", "d M"))


# The queue shows one deadline per case: whichever of the two clocks needs the handler first.
# The more urgent state wins; a regulator's deadline that has passed wins over an internal
# target that has passed too (a breach the regulator counts, which the complainant may take to
# the ombudsman); otherwise the sooner one. The other clock is named on hovering.
URGENCY: dict[str, int] = {
    DeadlineState.OVERDUE: 3,
    DeadlineState.DUE_SOON: 2,
    DeadlineState.ON_TRACK: 1,
    DeadlineState.PAUSED: 0,
    DeadlineState.SUSPENDED: 0,
    DeadlineState.NONE: -1,
}


@functools.cache
def _regulator_label(language: str | None) -> tuple[str, str]:
    """Return the regulator's label before a regulatory deadline's date (HTML), and its name
    as the titles give it ("FCA")."""
    packs = rulepacks.clock_packs()
    regulators = " / ".join(pack.regulator or pack.code.upper() for pack in packs)
    rules = "; ".join(str(pack.name) for pack in packs)
    title = _("Regulatory deadline: %(rules)s") % {"rules": rules}
    return (
        f'<span class="deadline-regulator" title="{html.escape(title)}">'
        f"{html.escape(regulators)}</span> ",
        regulators,
    )


def regulatory_first(case: Complaint, internal: str, regulatory: str) -> bool:
    """Return whether the queue shows the case's regulatory deadline rather than its internal
    one, given each clock's state."""
    if regulatory == DeadlineState.NONE or case.regulatory_deadline is None:
        return False
    if URGENCY[regulatory] != URGENCY[internal]:
        return URGENCY[regulatory] > URGENCY[internal]
    if regulatory == DeadlineState.OVERDUE:
        return True
    return case.next_deadline is None or case.regulatory_deadline <= case.next_deadline


def next_badge(case: Complaint, now: dt.datetime):
    """Return the badge of the deadline the case must meet first, of either clock."""
    internal = internal_state(case, now)
    regulatory = regulatory_state(case, now)
    if regulatory == DeadlineState.NONE or case.regulatory_deadline is None:
        return internal_badge(case, now)
    language = get_language()
    states = _state_texts(language)
    label, regulators = _regulator_label(language)
    if not regulatory_first(case, internal, regulatory):
        title = _("Regulatory deadline (%(regulator)s): %(state)s, %(when)s") % {
            "regulator": regulators,
            "state": states[regulatory],
            "when": when_text(case.regulatory_deadline, language),
        }
        return internal_badge(case, now, title=title)
    title = ""
    if internal != DeadlineState.NONE and case.next_deadline is not None:
        kind = case.next_deadline_kind
        title = _("Internal target: %(state)s, %(deadline)s %(when)s") % {
            "state": states[internal],
            "deadline": _kind_labels(language).get(kind, kind),
            "when": when_text(case.next_deadline, language),
        }
    title = f' title="{html.escape(title)}"' if title else ""
    when = _when(case.regulatory_deadline, language)
    return mark_safe(
        f'<span class="deadline deadline-{html.escape(regulatory)}">'
        f"{_state_labels(language)[regulatory]}</span>"
        f' <span class="deadline-when"{title}>{label}{when}</span>'
    )


# The queue's filters for selecting a class of complaints.


class RegulatoryDeadlineFilter(admin.SimpleListFilter):
    """Index complaint_open_regulatory."""

    title = gettext_lazy("regulatory deadline")
    parameter_name = "regulatory"

    def lookups(self, request, model_admin):
        return [
            (DeadlineState.OVERDUE.value, _("Overdue")),
            (DeadlineState.DUE_SOON.value, _("Due soon")),
            (DeadlineState.SUSPENDED.value, _("Suspended")),
        ]

    def queryset(self, request, queryset):
        now = clock.now()
        if self.value() == DeadlineState.OVERDUE:
            return queryset.regulatory_overdue(now)
        if self.value() == DeadlineState.DUE_SOON:
            return queryset.regulatory_due_soon(now)
        if self.value() == DeadlineState.SUSPENDED:
            return queryset.open().filter(regulatory_suspended_until__gt=now)
        return queryset


class ProductGroupFilter(admin.SimpleListFilter):
    """The FCA product group of the case's category, or of its group (the return's rule)."""

    title = gettext_lazy("FCA product group")
    parameter_name = "product_group"

    def lookups(self, request, model_admin):
        return ProductGroup.choices

    def queryset(self, request, queryset):
        if self.value() in ProductGroup.values:
            return queryset.filter(
                Q(category__product_group=self.value())
                | Q(category__product_group="", category__parent__product_group=self.value())
            )
        return queryset


class ReceivedBetweenFilter(admin.ListFilter):
    """Received on or after one date and on or before another (either may be left empty)."""

    title = gettext_lazy("received between")
    template = "admin/complaints/complaint/received_between_filter.html"
    FROM, UNTIL = "received_from", "received_until"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values: dict[str, dt.date | None] = {}
        self.raw: dict[str, str] = {}
        for name in (self.FROM, self.UNTIL):
            value = params.pop(name, [""])
            raw = value[-1] if isinstance(value, list) else value
            self.raw[name] = raw
            try:
                self.values[name] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                self.values[name] = None
        self.others = [
            (key, value) for key, value in request.GET.lists() if key not in (self.FROM, self.UNTIL)
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self):
        return [self.FROM, self.UNTIL]

    def choices(self, changelist):
        yield {
            "from": self.raw[self.FROM],
            "until": self.raw[self.UNTIL],
            "others": [(key, value) for key, values in self.others for value in values],
        }

    def queryset(self, request, queryset):
        first, last = self.values[self.FROM], self.values[self.UNTIL]
        tz = timezone.get_current_timezone()
        if first is not None:
            queryset = queryset.filter(received_at__gte=dt.datetime.combine(first, dt.time(0), tz))
        if last is not None:
            after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tz)
            queryset = queryset.filter(received_at__lt=after)
        return queryset


# The regulator's suspension.


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the regulator decided, in a sentence or two."),
    )
    reference = forms.CharField(
        label=gettext_lazy("Regulator's reference"),
        max_length=120,
        help_text=gettext_lazy("For example “FCA PS24/1 motor finance”."),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Suspended from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Suspended until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "The date the regulator named: the regulator's clock of each case stands still to the "
            "end of this day and the rest of its time runs after it."
        ),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("starts_on") and data.get("until") and data["until"] < data["starts_on"]:
            self.add_error("until", _("The suspension cannot end before it starts."))
        return data


def suspend_action(model_admin, request, queryset):
    """Suspend the regulatory deadline of the selected complaints (supervisors only)."""
    if not request.user.has_perm(suspensions.PERMISSION):
        raise PermissionDenied
    form = SuspensionForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        cases = list(queryset.order_by())
        try:
            suspension = suspensions.suspension_create(
                complaints=cases, actor=Actor.staff(request.user), **form.cleaned_data
            )
        except ComplaintError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
            return None
        model_admin.message_user(
            request,
            _("The regulatory deadline of %(count)d complaints is suspended (%(reference)s).")
            % {"count": len(cases), "reference": suspension.reference},
            messages.SUCCESS,
        )
        return None
    return TemplateResponse(
        request,
        "admin/complaints/complaint/suspend_regulatory.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Suspend the regulatory deadline"),
            "opts": model_admin.opts,
            "form": themed(form),
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


class SuspendedComplaintInline(TabularInline):
    model = SuspendedComplaint
    extra = 0
    can_delete = False
    fields = ["complaint", "moved_by", "suspended_until"]
    readonly_fields = fields
    raw_id_fields = ["complaint"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("complaint")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RegulatorySuspension)
class RegulatorySuspensionAdmin(ModelAdmin):
    """The regulators' suspensions: recorded from the queue, lifted here; supervisors only."""

    list_display = [
        "reference",
        "starts_on",
        "until",
        "cases",
        "created_by",
        "created_at",
        "lifted",
    ]
    list_select_related = ["created_by"]
    readonly_fields = [
        "reason",
        "reference",
        "starts_on",
        "until",
        "created_by",
        "created_at",
        "lifted_at",
        "lifted_by",
    ]
    fields = readonly_fields
    inlines = [SuspendedComplaintInline]
    actions = ["lift"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("covered"))

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(suspensions.PERMISSION)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        # Recorded from the queue, over the cases selected there.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_lift_permission(self, request) -> bool:
        return self.has_module_permission(request)

    @admin.display(description=gettext_lazy("cases"), ordering="case_count")
    def cases(self, obj) -> int:
        return obj.case_count

    @admin.display(description=gettext_lazy("lifted"), boolean=True)
    def lifted(self, obj) -> bool:
        return obj.lifted_at is not None

    @admin.action(description=gettext_lazy("Lift now (end early)"), permissions=["lift"])
    def lift(self, request, queryset):
        for suspension in queryset:
            try:
                suspensions.suspension_lift(suspension=suspension, actor=Actor.staff(request.user))
            except ComplaintError as error:
                self.message_user(request, f"{suspension}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(suspension)s lifted: the regulator's clock runs again on its cases.")
                    % {"suspension": suspension},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(reverse("admin:complaints_regulatorysuspension_changelist"))
