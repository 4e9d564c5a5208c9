"""The supervisors' escalation queue: by review deadline, with assignment and decision pages.

It also extends the handlers' console, which lives in complaints and may not import this app:
the case page's "Escalate" action and the queue's "escalated" filter are registered here.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from complaints import clock
from complaints.actors import Actor
from complaints.admin import case_actions, clocks
from complaints.admin import filters as queue_filters
from complaints.admin.readonly import ServicesOnlyAdminMixin
from complaints.admin.theme import themed
from complaints.choices import Remedy
from complaints.exceptions import ComplaintError, StatementsMissing
from complaints.outbox import complainant_channel
from complaints.querysets import DeadlineState
from escalations import selectors, services
from escalations.choices import OPEN_STATES
from escalations.forms import DecisionForm, EscalationRequestForm, ReviewerForm
from escalations.models import Escalation
from notifications.models import Notification

DECIDE_PERMISSION = "escalations.decide_escalation"


class EscalatedFilter(queue_filters.YesNoFilter):
    """The handlers' queue: cases that were escalated (at any time)."""

    title = _("escalated")
    parameter_name = "escalated"

    def subquery(self) -> Exists:
        return Exists(Escalation.objects.filter(complaint=OuterRef("pk")))


case_actions.action_register(
    case_actions.CaseAction(
        "escalate",
        _("Escalate"),
        services.escalation_request,
        _("Complaint %(reference)s escalated for a senior review."),
        form_class=EscalationRequestForm,
        permission="escalations.add_escalation",
    ),
    after="resolve",
)
queue_filters.filter_register(EscalatedFilter, before=queue_filters.DeliveryFailedFilter)


class ReviewFilter(admin.SimpleListFilter):
    """Open escalations unless asked otherwise: the queue is the work still to do.

    "Mine" is the open reviews assigned to the supervisor looking; "decided" the finished ones.
    """

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("unassigned", _("Unassigned")),
            ("mine", _("Mine")),
            ("decided", _("Decided")),
            ("all", _("All")),
        ]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = _("Open")
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unassigned":
            return queryset.unassigned()
        if value == "mine":
            return queryset.open().reviewed_by(request.user)
        if value == "decided":
            return queryset.decided()
        if value == "all":
            return queryset
        return queryset.open()


class DeadlineFilter(queue_filters.DeadlineStateFilter):
    title = _("review deadline")


@admin.register(Escalation)
class EscalationAdmin(ServicesOnlyAdminMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = [
        "reference",
        "requested",
        "deadline",
        "reviewer_name",
        "state",
        "decision",
        "buttons",
    ]
    list_display_links = ["reference"]
    list_select_related = ["complaint", "reviewer"]
    list_filter = [ReviewFilter, DeadlineFilter]
    search_fields = ["complaint__reference"]
    ordering = [F("review_by").asc(nulls_last=True), "requested_at"]
    show_full_result_count = False
    actions = ["assign_reviewer", "decide"]
    fieldsets = [
        (None, {"fields": ["complaint", "state", "requested_by", "requested_by_user"]}),
        (_("Request"), {"fields": ["requested_at", "grounds", "desired_outcome"]}),
        (_("Review"), {"fields": ["review_aim", "review_by", "reviewer", "review_started_at"]}),
        (
            _("Decision"),
            {
                "fields": [
                    "decision",
                    "revised_remedies",
                    "revised_redress_amount",
                    "reasoning",
                    "final_response",
                    "decided_at",
                    "decided_by",
                ]
            },
        ),
    ]
    readonly_fields = ["review_aim", "review_by", "review_started_at", "decided_at"]

    def has_module_permission(self, request) -> bool:
        # Handlers hold add_escalation (to escalate from the case page); that is no reason to
        # show them the supervisors' queue.
        return self.has_view_permission(request)

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(DECIDE_PERMISSION)

    def get_queryset(self, request):
        return super().get_queryset(request).with_deadline_state(clock.now())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = (extra_context or {}) | {"can_decide": self.has_decide_permission(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("complaint"), ordering="complaint__reference")
    def reference(self, escalation: Escalation) -> str:
        return format_html(
            '<span class="whitespace-nowrap">{}</span>', escalation.complaint.display_reference
        )

    @admin.display(description=_("requested"), ordering="requested_at")
    def requested(self, escalation: Escalation) -> str:
        return format_html(
            '{}<span class="deadline-when">{}</span>',
            escalation.get_requested_by_display(),
            clocks.when_text(escalation.requested_at),
        )

    @admin.display(description=_("review deadline"), ordering="review_by")
    def deadline(self, escalation: Escalation) -> str:
        state = DeadlineState(escalation.deadline_state)  # type: ignore[attr-defined]
        when = clocks.when_text(escalation.review_by) if escalation.review_by else ""
        return format_html(
            '<span class="deadline deadline-{}">{}</span><span class="deadline-when">{}</span>',
            state,
            state.label,
            when,
        )

    @admin.display(description=_("reviewer"), ordering="reviewer__last_name")
    def reviewer_name(self, escalation: Escalation) -> str | Promise:
        if escalation.reviewer is None:
            return _("Unassigned")
        return str(Actor.staff(escalation.reviewer))

    @admin.display(description="")
    def buttons(self, escalation: Escalation) -> str:
        if escalation.state == Escalation.State.DECIDED:
            return ""
        return format_html(
            '<span class="row-buttons"><a class="row-button" href="{}">{}</a>'
            '<a class="row-button" href="{}">{}</a></span>',
            self._url("assign", escalation.pk),
            _("Assign"),
            self._url("decide", escalation.pk),
            _("Decide"),
        )

    @admin.action(description=_("Assign a reviewer"), permissions=["decide"])
    def assign_reviewer(self, request, queryset):
        return self._one_page(request, queryset, "assign")

    @admin.action(description=_("Decide"), permissions=["decide"])
    def decide(self, request, queryset):
        return self._one_page(request, queryset, "decide")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/assign/", view(self.assign_view), name=self._url_name("assign")),
            path("<int:pk>/decide/", view(self.decide_view), name=self._url_name("decide")),
            *super().get_urls(),
        ]

    def assign_view(self, request, pk: int):
        escalation = self._open_escalation(request, pk)
        form = ReviewerForm(
            request.POST or None, reviewers=selectors.eligible_reviewers(escalation.complaint)
        )
        if request.method == "POST" and form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            try:
                services.escalation_assign_reviewer(
                    escalation=escalation, actor=Actor.staff(request.user), reviewer=reviewer
                )
            except ComplaintError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("%(reviewer)s reviews complaint %(reference)s.")
                    % {"reviewer": Actor.staff(reviewer), "reference": escalation.complaint},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url("changelist"))
        return self._render(request, "assign_reviewer", escalation, form, _("Assign a reviewer"))

    def decide_view(self, request, pk: int):
        escalation = self._open_escalation(request, pk)
        form = DecisionForm(request.POST or None)
        refusal = None
        try:
            services.check_decider(escalation, request.user)
        except ComplaintError as exc:
            refusal = str(exc)
        if request.method == "POST" and refusal is None and form.is_valid():
            try:
                services.escalation_decide(
                    escalation=escalation, actor=Actor.staff(request.user), **form.cleaned_data
                )
            except StatementsMissing as exc:
                # The final-response check: the list of what the final response lacks.
                form.add_error(None, str(exc))
                for missing in exc.missing:
                    form.add_error(None, _("Missing: %(what)s") % {"what": missing})
            except ComplaintError as exc:
                form.add_error(None, str(exc))
            else:
                by_letter = complainant_channel(escalation.complaint) == Notification.Channel.LETTER
                self.message_user(
                    request,
                    (
                        _(
                            "Complaint %(reference)s is decided; the final response is a letter "
                            "to post (see Letters on the case): nothing was emailed."
                        )
                        if by_letter
                        else _(
                            "Complaint %(reference)s is decided; the final response is on its way."
                        )
                    )
                    % {"reference": escalation.complaint},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url("changelist"))
        remedies = [Remedy(value).label for value in escalation.complaint.remedies]
        return self._render(
            request,
            "decide",
            escalation,
            form,
            _("Decide the escalation"),
            refusal=refusal,
            original_remedies=remedies,
        )

    def _open_escalation(self, request, pk: int) -> Escalation:
        if not self.has_decide_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Escalation.objects.select_related("complaint__policy", "reviewer").filter(
                state__in=OPEN_STATES
            ),
            pk=pk,
        )

    def _render(self, request, name, escalation, form, title, **extra):
        complaint = escalation.complaint
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "escalation": escalation,
            "complaint": complaint,
            "form": themed(form),
            "case_rows": _case_rows(escalation, complaint),
            "response_rows": _response_rows(complaint, extra.pop("original_remedies", [])),
            **extra,
        }
        return TemplateResponse(request, f"admin/escalations/escalation/{name}.html", context)

    def _one_page(self, request, queryset, name: str):
        pks = list(queryset.filter(state__in=OPEN_STATES).values_list("pk", flat=True))
        if len(pks) != 1:
            self.message_user(
                request, _("Choose exactly one open escalation for this."), messages.WARNING
            )
            return None
        return HttpResponseRedirect(self._url(name, pks[0]))

    def _url_name(self, name: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{name}"

    def _url(self, name: str, *args) -> str:
        return reverse(f"admin:{self._url_name(name)}", args=args)


def _when(moment) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else "—"


def _case_rows(escalation: Escalation, complaint) -> list[tuple[Any, Any]]:
    reviewer = escalation.reviewer
    rows = [
        (_("State"), complaint.get_state_display()),
        (
            _("Requested"),
            f"{escalation.get_requested_by_display()} · {_when(escalation.requested_at)}",
        ),
        (_("Review by"), _when(escalation.review_by)),
        (_("Reviewer"), str(Actor.staff(reviewer)) if reviewer else _("Unassigned")),
        (_("Grounds"), linebreaksbr(escalation.grounds)),
    ]
    if escalation.desired_outcome:
        rows.append((_("Wants"), linebreaksbr(escalation.desired_outcome)))
    return rows


def _response_rows(complaint, remedies: list[str]) -> list[tuple[Any, Any]]:
    amount = complaint.redress_amount
    policy = complaint.policy
    return [
        (_("Outcome"), complaint.get_outcome_display()),
        (_("Findings"), linebreaksbr(complaint.response_findings)),
        (_("Actions taken"), linebreaksbr(complaint.response_actions)),
        (_("Remedies"), ", ".join(str(remedy) for remedy in remedies)),
        (
            _("Redress"),
            f"{number_format(amount, 2)} {complaint.redress_currency}"
            if amount is not None
            else "",
        ),
        (_("Reasoning"), linebreaksbr(complaint.response_reasoning)),
        (
            _("External routes"),
            format_html(
                "{} {}", linebreaksbr(policy.external_routes), policy.external_route_time_limit
            ),
        ),
    ]
