"""The handler console: the queue of cases and the case page, both thin over the services."""

from __future__ import annotations

import functools
import html

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Least
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.views import ChangeList

from complaints import clock, ledger, selectors, services, suspensions, vulnerability
from complaints.actors import Actor
from complaints.admin import clocks, filters
from complaints.admin import related as related_admin
from complaints.admin.access import record_access
from complaints.admin.case_actions import (
    ACTIONS,
    WORK,
    CaseAction,
    allowed_transitions,
    available_actions,
    offered,
)
from complaints.admin.case_form import empty_form_html, fieldsets_html, widget_html
from complaints.admin.forms import (
    COMPLAINANT_FIELDS,
    COMPLAINT_TEXT_FIELDS,
    AssignForm,
    CaseCorrectionForm,
    LetterPostedForm,
    LoggedComplaintForm,
    RejectionForm,
)
from complaints.admin.paging import CappedPaginator
from complaints.admin.search import reference_candidates
from complaints.admin.theme import themed
from complaints.admin.timeline import case_timeline, timeline_rows
from complaints.attachments import attachment_response
from complaints.choices import VulnerabilityDriver
from complaints.exceptions import ComplaintError, StatementsMissing
from complaints.models import (
    Attachment,
    CaseAccess,
    CaseLink,
    Category,
    Complaint,
    RedressEntry,
)
from complaints.outbox import complainant_channel
from complaints.templatetags import console_list
from notifications.models import Notification
from notifications.rendering import render_letter

NEXT_DEADLINE = F("next_deadline").asc(nulls_last=True)
# The queue's deadline column, sorted: the sooner of the two clocks' deadlines (either may be
# missing; SQLite's MIN() of a NULL is NULL, hence the Coalesce).
SOONEST_DEADLINE = Least(
    Coalesce("next_deadline", "regulatory_deadline"),
    Coalesce("regulatory_deadline", "next_deadline"),
).asc(nulls_last=True)
# Shown in the queue's columns and on the case page.
# The policy too: the case page's actions read its rule packs (no query of their own).
RELATED = ["category__parent", "handler", "policy"]
# What the queue's rows read (its columns and the clocks' badges), and nothing else: a whole
# case is some 70 columns, a dozen of them long texts, and the queue showed about 15 of them.
# The category's names come with the row rather than as two more models per row.
QUEUE_ROW_FIELDS = [
    "reference",
    "complainant_name",
    "state",
    "received_at",
    "activity_at",
    "clock_paused_at",
    "next_deadline",
    "next_deadline_kind",
    "regulatory_deadline",
    "regulatory_due_soon_at",
    "regulatory_suspended_until",
]
QUEUE_NAMES = {
    "category_name": F("category__name"),
    "category_name_de": F("category__name_de"),
    "group_name": F("category__parent__name"),
    "group_name_de": F("category__parent__name_de"),
}
# Contact details and classification may be corrected in place (the history keeps the old
# values); everything the lifecycle depends on changes only through an action.
EDITABLE_FIELDS = {*COMPLAINANT_FIELDS, "product_or_service", "root_cause"}
FIELDSETS = [
    (gettext_lazy("Complainant"), {"fields": COMPLAINANT_FIELDS}),
    (
        gettext_lazy("Complaint"),
        {
            "fields": [
                "display_reference",
                "state",
                "channel",
                "received_at",
                "category",
                "product_or_service",
                "incident_at",
                *COMPLAINT_TEXT_FIELDS,
            ]
        },
    ),
    (
        gettext_lazy("Handling"),
        {"fields": ["handler_column", "is_complex", "awaiting_information", "root_cause"]},
    ),
    (
        gettext_lazy("Deadlines"),
        {
            "fields": [
                "deadline",
                "regulatory",
                "acknowledge_by",
                "respond_by",
                "resolve_by",
                "next_update_due",
                "escalate_until",
                "reopen_until",
            ]
        },
    ),
    (
        gettext_lazy("Response"),
        {
            "fields": [
                "outcome",
                "response_findings",
                "response_actions",
                "remedies",
                "redress_amount",
                "redress_currency",
                "response_reasoning",
            ],
            "classes": ["collapse"],
        },
    ),
]


# The queue's markers and ages are the same few phrases on every row: translated once per
# language, not once per row.


@functools.cache
def _markers(language: str | None) -> tuple[SafeString, SafeString]:
    """Return the reference column's markers: new activity, and a vulnerable customer."""
    return (
        format_html(
            ' <span class="activity-marker" title="{}">'
            '<span class="material-symbols-outlined" aria-hidden="true">mark_email_unread'
            '</span><span class="activity-text">{}</span></span>',
            _("New activity from the complainant"),
            _("new"),
        ),
        format_html(
            ' <span class="vulnerable-marker" title="{}">'
            '<span class="material-symbols-outlined" aria-hidden="true">diversity_1</span>'
            '<span class="activity-text">{}</span></span>',
            _("Vulnerable customer: see the case for the adjustments"),
            _("vulnerable"),
        ),
    )


@functools.lru_cache(maxsize=4096)
def _age(days: int, language: str | None) -> str:
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


class QueueChangeList(ChangeList):
    """The queue: its page of rows loads only the values they show (QueueRow); its filters are
    drawn by console_list.console_filter.

    The query the bulk actions run on (get_queryset) still loads whole cases: the services
    change and save them.
    """

    result_list: list[QueueRow]

    def get_filters(self, request):
        filters = super().get_filters(request)
        for spec in filters[0]:
            if console_list.filter_drawn(spec):
                spec.template = console_list.FILTER_TEMPLATE
        return filters

    def get_results(self, request):
        super().get_results(request)
        page: QuerySet[Complaint] = self.result_list  # type: ignore[assignment]
        rows = page.select_related(None).annotate(**QUEUE_NAMES).values_list(*QUEUE_VALUES)
        self.result_list = [QueueRow(record) for record in rows]


# What QueueRow is made of: the row's own fields (QUEUE_ROW_FIELDS), its names (QUEUE_NAMES), its
# deadline's state (with_deadline_state), then its handler's names and its vulnerability.
HANDLER_FIELDS = ["handler_id", "handler__first_name", "handler__last_name", "handler__username"]
DRIVER_FIELDS = [f"vulnerability__{driver}" for driver in VulnerabilityDriver.values]
ROW_FIELDS = ["id", *QUEUE_ROW_FIELDS, *QUEUE_NAMES, "deadline_state"]
QUEUE_VALUES = [*ROW_FIELDS, *HANDLER_FIELDS, *DRIVER_FIELDS]


class QueueHandler:
    """The handler of a queue's row: what handler_column reads of a user."""

    __slots__ = ("first_name", "last_name", "username")

    def __init__(self, first_name: str, last_name: str, username: str) -> None:
        self.first_name, self.last_name, self.username = first_name, last_name, username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


class QueueFlag:
    """A queue's row's vulnerability: whether any driver is ticked (reference_column)."""

    is_flagged = True


class QueueRow:
    """One row of the queue: the values its columns read, not a Complaint.

    A page of 100 complaints built as model instances (with their handlers and vulnerability
    records) cost 4.5 ms of the queue's CPU, their values 1.5 ms (bench/profile_pages.py). The
    columns read the same attributes of either; the bulk actions load whole cases (get_queryset).
    """

    id: int
    reference: str
    state: str

    def __init__(self, record: tuple) -> None:
        count = len(ROW_FIELDS)
        self.__dict__.update(zip(ROW_FIELDS, record[:count], strict=True))
        self.pk = self.id
        handler_id, first_name, last_name, username = record[count : count + 4]
        self.handler = None if handler_id is None else QueueHandler(first_name, last_name, username)
        self.vulnerability = QUEUE_FLAG if any(record[count + 4 :]) else None

    # The case's own properties: they read only `reference` and `state`. Its options too: the
    # theme's own rows (a pop-up's) look its fields up there.
    display_reference = Complaint.display_reference
    is_open = Complaint.is_open
    _meta = Complaint._meta

    def serializable_value(self, field_name: str):
        """Return the field's value, as Model.serializable_value (the pop-up that picks a
        case for a raw id field sends back its key)."""
        return self.id if field_name in ("id", "pk") else getattr(self, field_name)


QUEUE_FLAG = QueueFlag()


# Whether the case has redress entries, related complaints and files, asked in the case's own
# query: each section's query runs only for the cases that have some. Written as SQL: composing
# them as Exists subqueries (resolving and re-aliasing each on every view) cost a third of
# loading the case (2.3 ms against 1.5 ms per get_object, DEBUG on). Only in the case page's
# query of its one case, whose table keeps its own name as its alias.
CASE_ID = f'"{Complaint._meta.db_table}"."id"'
CASE_HAS_ROWS = {
    "has_redress": f"EXISTS (SELECT 1 FROM {RedressEntry._meta.db_table} r"
    f" WHERE r.complaint_id = {CASE_ID})",
    "has_links": f"EXISTS (SELECT 1 FROM {CaseLink._meta.db_table} l"
    f" WHERE l.complaint_id = {CASE_ID} OR l.other_id = {CASE_ID})",
    "has_files": f"EXISTS (SELECT 1 FROM {Attachment._meta.db_table} a"
    f" WHERE a.complaint_id = {CASE_ID})",
}


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = [
        "reference_column",
        "complainant_name",
        "category_column",
        "state",
        "handler_column",
        "deadline_column",
        "age",
    ]
    list_display_links = ["reference_column"]
    list_select_related = RELATED
    list_filter = filters.QUEUE_FILTERS
    # The search itself is selectors.complaint_search; naming a field here shows the box.
    search_fields = ["reference"]
    search_help_text = gettext_lazy(
        "Reference, name, email, account identifier, or words from the description or messages."
    )
    ordering = [NEXT_DEADLINE, "received_at"]
    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 100
    actions = ["assign_to_me", "assign_to_handler", "acknowledge", "suspend_regulatory_deadline"]
    fieldsets = FIELDSETS
    form = CaseCorrectionForm
    change_form_template = "admin/complaints/complaint/change_form.html"

    # Visibility: handlers see their own and unassigned cases, supervisors all, other staff none.

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse):
            return console_list.rows_splice(response, request)
        return response

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related(*RELATED, "vulnerability")
        )
        if getattr(request.resolver_match, "url_name", "") != "complaints_complaint_change":
            # The queue's badges; the case page reads its one case's from the row (clocks).
            return queryset.with_deadline_state(clock.now())
        return queryset.annotate(
            **{
                name: RawSQL(sql, (), output_field=BooleanField())
                for name, sql in CASE_HAS_ROWS.items()
            }
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_see(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_see(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A complaint is never deleted: closed cases are anonymised after the retention period.
        return False

    def has_work_permission(self, request):
        return request.user.has_perm(WORK)

    def has_suspend_permission(self, request):
        return request.user.has_perm(suspensions.PERMISSION)

    def _may_see(self, request, obj) -> bool:
        if obj is None:
            return True
        # The admin asks about the same case a dozen times per page: a case get_object fetched
        # through get_queryset (visible_to this user) needs no second look.
        if obj.pk in getattr(request, "visible_complaints", ()):
            return True
        return Complaint.objects.visible_to(request.user).filter(pk=obj.pk).exists()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Someone else's case and a case that does not exist look the same.
            raise Http404(_("No such complaint."))
        request.visible_complaints = {*getattr(request, "visible_complaints", ()), obj.pk}
        return obj

    # The history is read-only: a revert would bypass the state machine.

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        case = self.get_object(request, unquote(object_id))
        record_access(request, CaseAccess.Kind.HISTORY, case)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Queue columns.

    @admin.display(description=gettext_lazy("reference"), ordering="reference")
    def reference_column(self, obj):
        shown = f'<span class="whitespace-nowrap">{html.escape(obj.display_reference)}</span>'
        activity, vulnerable = _markers(get_language())
        if obj.activity_at is not None:
            shown += activity
        record = vulnerability.vulnerability_of(obj)
        if record is not None and record.is_flagged:
            # Joined with the row (QueueRow): no query of its own.
            shown += vulnerable
        return mark_safe(shown)

    @admin.display(description=gettext_lazy("category"), ordering="category__name")
    def category_column(self, obj):
        # The queue's rows carry the names (QueueChangeList), in both languages.
        if obj.category_name is None:
            return "—"
        return Category.label_in(
            get_language(),
            (obj.category_name, obj.category_name_de),
            (obj.group_name, obj.group_name_de),
        )

    @admin.display(description=gettext_lazy("handler"), ordering="handler__last_name")
    def handler_column(self, obj):
        if obj.handler is None:
            return "—"
        return obj.handler.get_full_name() or obj.handler.get_username()

    @admin.display(description=gettext_lazy("next deadline"), ordering=SOONEST_DEADLINE)
    def deadline_column(self, obj):
        # One column for both clocks: at 1280 px there is no room for a second (issue #16).
        return clocks.next_badge(obj, clock.now())

    @admin.display(description=gettext_lazy("next deadline"), ordering=NEXT_DEADLINE)
    def deadline(self, obj):
        return clocks.internal_badge(obj, clock.now())

    @admin.display(
        description=gettext_lazy("regulatory deadline"),
        ordering=F("regulatory_deadline").asc(nulls_last=True),
    )
    def regulatory(self, obj):
        return clocks.badge(clocks.regulatory_state(obj, clock.now()), obj.regulatory_deadline)

    @admin.display(description=gettext_lazy("age"), ordering="received_at")
    def age(self, obj):
        return _age((clock.now() - obj.received_at).days, get_language())

    @admin.display(description=gettext_lazy("reference"))
    def display_reference(self, obj):
        return obj.display_reference

    def save_model(self, request, obj, form, change):
        # Only what was corrected: a whole-row save would write back the stale values of fields
        # the lifecycle and the jobs keep (the form checked the case's version under its lock).
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    def get_readonly_fields(self, request, obj=None):
        shown = [name for _title, options in FIELDSETS for name in options["fields"]]
        return [name for name in shown if name not in EDITABLE_FIELDS]

    # Search: a reference with a slip in it still finds its case.

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        results = selectors.complaint_search(queryset, search_term)
        candidates = reference_candidates(search_term)
        if candidates:
            results = results | queryset.filter(reference__in=candidates)
        return results, False

    # Bulk actions on the queue.

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["work"])
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case, actor: services.complaint_assign(
                complaint=case, actor=actor, handler=request.user
            ),
            _("Assigned to you: %(count)d."),
        )

    @admin.action(description=gettext_lazy("Assign to a handler…"), permissions=["work"])
    def assign_to_handler(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            handler = form.cleaned_data["handler"]
            self._each(
                request,
                queryset,
                lambda case, actor: services.complaint_assign(
                    complaint=case, actor=actor, handler=handler
                ),
                _("Assigned to %(handler)s: %(count)d."),
                handler=handler.get_full_name() or handler.get_username(),
            )
            return None
        return TemplateResponse(
            request,
            "admin/complaints/complaint/assign_handler.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign complaints to a handler"),
                "opts": self.opts,
                "form": themed(form),
                "queryset": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    suspend_regulatory_deadline = admin.action(
        clocks.suspend_action,
        description=gettext_lazy("Suspend the regulatory deadline…"),
        permissions=["suspend"],
    )

    @admin.action(description=gettext_lazy("Acknowledge"), permissions=["work"])
    def acknowledge(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case, actor: services.complaint_acknowledge(complaint=case, actor=actor),
            _("Acknowledged: %(count)d."),
        )

    def _each(self, request, queryset, perform, done: str, **names: str) -> None:
        actor, count = Actor.staff(request.user), 0
        for case in queryset:
            try:
                changed = perform(case, actor)
            except ComplaintError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                count += 1
                warning = vulnerability.named_contact_warning(changed)
                if warning:
                    self.message_user(request, warning, messages.WARNING)
        if count:
            self.message_user(request, done % {"count": count, **names}, messages.SUCCESS)

    # Logging a complaint that came by phone, post or in person.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LoggedComplaintForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = {name: value for name, value in form.cleaned_data.items() if value is not None}
            try:
                case = services.complaint_submit(actor=Actor.staff(request.user), **data)
            except ComplaintError as error:
                form.add_error(None, str(error))
            else:
                logged = _("Complaint %(reference)s logged.") % {"reference": case}
                if complainant_channel(case) == Notification.Channel.LETTER:
                    logged += " " + _(
                        "There is no email address: its acknowledgement and every later message "
                        "will be letters to post, listed under Letters on the case."
                    )
                self.message_user(request, logged, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:complaints_complaint_change", args=[case.pk])
                )
        return TemplateResponse(
            request,
            "admin/complaints/complaint/log_complaint.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Log a complaint"),
                "opts": self.opts,
                "form": themed(form),
                "media": self.media + form.media if form else self.media,
            },
        )

    # The case page.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/act/<str:action_name>/",
                self.admin_site.admin_view(self.case_action_view),
                name="complaints_complaint_act",
            ),
            path(
                "<path:object_id>/letters/<int:notification_id>/pdf/",
                self.admin_site.admin_view(self.letter_pdf_view),
                name="complaints_complaint_letter_pdf",
            ),
            path(
                "<path:object_id>/letters/<int:notification_id>/posted/",
                self.admin_site.admin_view(self.letter_posted_view),
                name="complaints_complaint_letter_posted",
            ),
            path(
                "<path:object_id>/redress/<int:entry_id>/<str:decision>/",
                self.admin_site.admin_view(self.redress_decision_view),
                name="complaints_complaint_redress_decision",
            ),
            path(
                "<path:object_id>/files/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="complaints_complaint_file",
            ),
            *related_admin.urls(self),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # A staff member who opens the case has seen it: its "new activity" marker goes.
            record_access(request, CaseAccess.Kind.CASE, obj, seen=request.method == "GET")
            actions = available_actions(obj, request.user)
            timeline = case_timeline(obj)
            # Every action's page differs only by its name: one reverse for them all.
            act = reverse("admin:complaints_complaint_act", args=[obj.pk, "-"]).removesuffix("-/")
            context |= {
                "case_buttons": offered(
                    [action for action in actions if not action.in_correspondence], act
                ),
                "correspondence_forms": [
                    (
                        offered([action], act)[0],
                        empty_form_html(action.form_class(auto_id=f"id_{action.name}_%s")),
                    )
                    for action in actions
                    if action.in_correspondence and action.form_class is not None
                ],
                "case_files": obj.attachments.select_related("uploaded_by_user")
                if getattr(obj, "has_files", True)
                else [],
                # The timeline lists every notification: no letter there, no query for them.
                "case_letters": obj.notifications.filter(
                    channel=Notification.Channel.LETTER
                ).select_related("posted_by")
                if any(entry.letter for entry in timeline)
                else [],
                "may_post_letters": self.has_work_permission(request),
                "case_vulnerability": vulnerability.vulnerability_of(obj),
                "redress_entries": (
                    list(obj.redress_entries.select_related("recorded_by", "approved_by"))
                    if getattr(obj, "has_redress", True)
                    else []
                ),
                "may_approve_redress": request.user.has_perm(ledger.APPROVE),
                "timeline": timeline,
                "timeline_rows": timeline_rows(timeline),
                "case_fieldsets": fieldsets_html(context["adminform"]),
                "case_version": widget_html(context["adminform"].form["version"]),
                "related_cases": related_admin.related_cases(obj, request.user)
                if getattr(obj, "has_links", True)
                else [],
                "link_form": empty_form_html(themed(related_admin.LinkForm(auto_id="id_link_%s"))),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def case_action_view(self, request, object_id, action_name):
        case = self.get_object(request, unquote(object_id))
        action = ACTIONS.get(action_name)
        if action is None:
            raise Http404(_("No such action."))
        if not (request.user.has_perm(action.permission) and self.has_view_permission(request)):
            raise PermissionDenied
        change_url = reverse("admin:complaints_complaint_change", args=[case.pk])
        if not action.is_available(case, allowed_transitions(case)):
            self.message_user(
                request,
                _("“%(action)s” is not possible on %(reference)s now: it is %(state)s.")
                % {
                    "action": action.label,
                    "reference": case,
                    "state": case.get_state_display(),
                },
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        if action.form_class is None and request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        templates = list(action.templates(case)) if action.templates else []
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        initial: dict | None
        if chosen and action.from_template:
            initial = action.from_template(chosen, case)
        else:
            initial = action.initial(case) if action.initial else None
        form = (
            action.form_class(request.POST or None, request.FILES or None, initial=initial)
            if action.form_class
            else None
        )
        if request.method == "POST" and (form is None or form.is_valid()):
            if self._perform(request, case, action, form.cleaned_data if form else {}, form):
                return HttpResponseRedirect(change_url)
            if form is None:
                return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request,
            "admin/complaints/complaint/case_action.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{action.label}: {case}",
                "opts": self.opts,
                "original": case,
                "action": action,
                "form": themed(form) if form else None,
                "templates": templates,
                "chosen_template": chosen,
                "media": self.media + form.media if form else self.media,
            },
        )

    def attachment_view(self, request, object_id, attachment_id):
        case = self.get_object(request, unquote(object_id))
        if case is None or not request.user.has_perm("complaints.view_attachment"):
            raise Http404
        attachment = get_object_or_404(case.attachments, pk=attachment_id)
        record_access(request, CaseAccess.Kind.FILE, case, attachment.original_name)
        return attachment_response(attachment)

    def letter_pdf_view(self, request, object_id, notification_id):
        """Return a letter on the case as a PDF to print (404 for a case the user cannot see)."""
        case = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        letter = get_object_or_404(
            case.notifications.select_related("complaint__policy", "complaint__handler"),
            pk=notification_id,
            channel=Notification.Channel.LETTER,
        )
        record_access(request, CaseAccess.Kind.FILE, case, f"letter {letter.pk}")
        response = HttpResponse(render_letter(letter), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="letter-{case.display_reference}-{letter.pk}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def letter_posted_view(self, request, object_id, notification_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self.get_object(request, unquote(object_id))
        if not self.has_work_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(
            case.notifications, pk=notification_id, channel=Notification.Channel.LETTER
        )
        form = LetterPostedForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request,
                _("Give the moment it was posted as a date and time, or leave it empty."),
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse("admin:complaints_complaint_change", args=[case.pk])
            )
        try:
            services.complaint_letter_mark_posted(
                notification=letter,
                actor=Actor.staff(request.user),
                posted_at=form.cleaned_data["posted_at"],
            )
        except ComplaintError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("The letter on %(reference)s is marked posted.") % {"reference": case},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:complaints_complaint_change", args=[case.pk]))

    def _perform(self, request, case: Complaint, action: CaseAction, data, form=None) -> bool:
        by_letter = (
            action.done_by_letter is not None
            and complainant_channel(case) == Notification.Channel.LETTER
        )
        try:
            result = action.perform(case, Actor.staff(request.user), data)
        except ledger.ResponseHeld as held:
            # Recorded, not sent: the handler is told what it waits for, on the case page.
            self.message_user(request, str(held), messages.WARNING)
            return True
        except StatementsMissing as refusal:
            # The final-response check: the form, kept as typed, lists what is missing.
            self.message_user(request, str(refusal), messages.ERROR)
            if form is not None:
                for missing in refusal.missing:
                    form.add_error(None, _("Missing: %(what)s") % {"what": missing})
            return False
        except ComplaintError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        done = (action.done_by_letter if by_letter else None) or action.done
        self.message_user(request, done % {"reference": case}, messages.SUCCESS)
        if isinstance(result, RedressEntry) and result.is_awaiting:
            self.message_user(
                request,
                _(
                    "%(amount)s %(currency)s is above your approval limit: the entry waits for "
                    "a colleague whose limit covers it, and counts only once approved."
                )
                % {"amount": result.amount, "currency": result.currency},
                messages.WARNING,
            )
        if isinstance(result, Complaint):
            warning = vulnerability.named_contact_warning(result)
            if warning:
                self.message_user(request, warning, messages.WARNING)
        return True

    def redress_decision_view(self, request, object_id, entry_id, decision):
        """Approve or reject a colleague's redress entry, after a confirmation page."""
        case = self.get_object(request, unquote(object_id))
        if decision not in ("approve", "reject"):
            raise Http404(_("No such action."))
        if not request.user.has_perm(ledger.APPROVE):
            raise PermissionDenied
        entry = get_object_or_404(
            case.redress_entries.select_related("recorded_by", "approved_by"), pk=entry_id
        )
        change_url = reverse("admin:complaints_complaint_change", args=[case.pk])
        refusal = ledger.approval_refusal(entry, request.user)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(f"{change_url}#case-redress")
        form = RejectionForm(request.POST or None) if decision == "reject" else None
        if request.method == "POST" and (form is None or form.is_valid()):
            actor = Actor.staff(request.user)
            try:
                if form is None:
                    ledger.redress_approve(entry=entry, actor=actor)
                    done = _("The redress entry on %(reference)s is approved.")
                else:
                    ledger.redress_reject(
                        entry=entry, actor=actor, reason=form.cleaned_data["reason"]
                    )
                    done = _("The redress entry on %(reference)s is rejected.")
            except ComplaintError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, done % {"reference": case}, messages.SUCCESS)
            return HttpResponseRedirect(f"{change_url}#case-redress")
        rows = [
            (_("Entry"), entry.get_entry_type_display()),
            (_("Kind of redress"), entry.get_kind_display()),
            (_("Amount"), f"{entry.amount} {entry.currency}"),
            (_("Date"), entry.on),
            (_("Recorded by"), str(Actor.staff(entry.recorded_by)) if entry.recorded_by else ""),
            (_("Note"), entry.note),
        ]
        if entry.held_response:
            rows.append(
                (_("Waiting with it"), _("The response to the complainant, sent on approval."))
            )
        return TemplateResponse(
            request,
            "admin/complaints/complaint/redress_decision.html",
            {
                **self.admin_site.each_context(request),
                "title": (
                    _("Approve this redress: %(reference)s")
                    if form is None
                    else _("Reject this redress: %(reference)s")
                )
                % {"reference": case},
                "opts": self.opts,
                "original": case,
                "entry_rows": rows,
                "form": themed(form) if form else None,
                "decision": decision,
            },
        )
