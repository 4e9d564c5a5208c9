"""The dashboard, the data return, the subject-access export and the ombudsman referral pack,
for supervisors in the admin."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin

from complaints import clock
from complaints.actors import Actor
from complaints.admin.access import record_access
from complaints.admin.readonly import ServicesOnlyAdminMixin
from complaints.admin.theme import themed
from complaints.exceptions import ComplaintError
from complaints.models import CaseAccess, Category, Complaint, ComplaintPolicy
from reports.charts import bar_chart
from reports.dashboard import dashboard_figures
from reports.forms import DashboardForm, RehearsalForm, ReturnForm, SubjectAccessForm
from reports.models import ComplaintFigures
from reports.periods import presets
from reports.referral_pack import referral_pack_file
from reports.rehearsal import RehearsalFailed, rehearsal_run
from reports.returns import complaints_return, return_csv, return_table, return_text
from reports.subject_access import subject_access_export

PERMISSION = "complaints.view_all_complaints"


@admin.register(ComplaintFigures)
class ComplaintFiguresAdmin(ServicesOnlyAdminMixin, ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None and self.has_module_permission(request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.dashboard_view), name="reports_complaintfigures_changelist"),
            path("csv/<slug:key>/", wrap(self.chart_csv_view), name="reports_chart_csv"),
            path("return/", wrap(self.return_view), name="reports_complaints_return"),
            path("subject-access/", wrap(self.subject_access_view), name="reports_subject_access"),
            path(
                "rehearsal/<slug:slug>/", wrap(self.rehearsal_view), name="reports_rehearse_policy"
            ),
            path(
                "referral-pack/<int:pk>/",
                wrap(self.referral_pack_view),
                name="reports_referral_pack",
            ),
        ]

    def _require(self, request) -> None:
        if not self.has_module_permission(request):
            raise PermissionDenied

    def _figures(self, request, categories: list[Category] | None = None):
        form = DashboardForm(request.GET or None)
        if not form.is_bound:
            form = DashboardForm({})
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
        return form, dashboard_figures(
            period=data["period"],
            category=data["category"],
            now=clock.now(),
            categories=categories,
        )

    def dashboard_view(self, request):
        self._require(request)
        categories = list(Category.objects.select_related("parent"))
        form, figures = self._figures(request, categories)
        query = urlencode({k: v for k, v in request.GET.items() if k in form.fields})
        category_query = (
            {"category": request.GET["category"]} if request.GET.get("category") else {}
        )
        charts = [
            {
                "chart": chart,
                "svg": bar_chart(chart),
                "csv": reverse("admin:reports_chart_csv", args=[chart.key]) + f"?{query}",
            }
            for chart in (figures.charts if figures else [])
        ]
        today = timezone.localdate(clock.now())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Complaint figures"),
            "opts": self.model._meta,
            "form": form,
            "form_fields": period_fields_html(form, categories),
            "figures": figures,
            "summary": [(label, figure(value)) for label, value in figures.summary_rows()]
            if figures
            else [],
            "presets": [
                (name, "?" + urlencode({"first": p.first, "last": p.last, **category_query}))
                for name, p in presets(today)
            ],
            "time_zone": timezone.get_current_timezone_name(),
            "charts": charts,
            "summary_csv": reverse("admin:reports_chart_csv", args=["summary"]) + f"?{query}",
            "return_fields": form_fields_html(ReturnForm()),
            "subject_access_fields": form_fields_html(SubjectAccessForm()),
        }
        return render(request, "admin/reports/dashboard.html", context)

    def chart_csv_view(self, request, key: str):
        self._require(request)
        form, figures = self._figures(request)
        if figures is None:
            raise Http404(_("The period is not valid."))
        if key == "summary":
            rows, header = figures.summary_rows(), [_("Figure"), _("Value")]
        else:
            try:
                chart = figures.chart(key)
            except KeyError as exc:
                raise Http404(_("There is no such chart.")) from exc
            rows, header = chart.rows, [chart.title, _("Share (%)") if chart.unit else _("Count")]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response

    def return_view(self, request):
        self._require(request)
        form = ReturnForm(request.GET)
        if not form.is_valid():
            for name, error in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                text = " ".join(str(message) for message in error)
                messages.error(request, f"{label}: {text}" if label else text)
            return _back(request)
        period, kind = form.cleaned_data["period"], form.cleaned_data["format"]
        rows = complaints_return(period)
        record_access(request, CaseAccess.Kind.EXPORT, detail=f"complaints return {period.name}")
        if kind == "page":
            header, lines = return_table(rows)
            return render(
                request,
                "admin/reports/return.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Complaints data return %(period)s") % {"period": period.name},
                    "period": period,
                    "header": header,
                    "rows": [(line[0], [figure(value) for value in line[1:]]) for line in lines],
                    "csv": reverse("admin:reports_complaints_return")
                    + "?"
                    + urlencode({"period": period.name, "format": "csv"}),
                },
            )
        if kind == "csv":
            body, content_type, ext = return_csv(rows), "text/csv", "csv"
        else:
            body = return_text(period, rows, settings.REDRESS_ORGANISATION_NAME)
            content_type, ext = "text/plain", "txt"
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="complaints-return-{period.name}.{ext}"'
        )
        return response

    def subject_access_view(self, request):
        self._require(request)
        if request.method != "POST":
            return _back(request)
        form = SubjectAccessForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the complainant's email address."))
            return _back(request)
        try:
            archive, _count = subject_access_export(
                email=form.cleaned_data["email"], actor=Actor.staff(request.user)
            )
        except ComplaintError as exc:
            messages.error(request, str(exc))
            return _back(request)
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="subject-access-export.zip"'
        return response

    def referral_pack_view(self, request, pk: int):
        """Download one case's ombudsman referral pack (supervisors only; access-logged)."""
        self._require(request)
        case = (
            Complaint.objects.visible_to(request.user)
            .select_related("policy", "category__parent", "handler", "merged_into")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise Http404(_("No such complaint."))
        record_access(request, CaseAccess.Kind.EXPORT, case, "ombudsman referral pack")
        return FileResponse(
            referral_pack_file(case),
            as_attachment=True,
            filename=f"referral-pack-{case.display_reference}.zip",
            content_type="application/zip",
            headers={"Cache-Control": "private, no-store"},
        )

    def rehearsal_view(self, request, slug: str):
        """Rehearse a policy: a typical case's whole life under it, nothing kept."""
        self._require(request)
        policy = ComplaintPolicy.objects.filter(slug=slug).first()
        if policy is None:
            raise Http404
        form = RehearsalForm(request.POST or None, policy=policy)
        output = error = ""
        if request.method == "POST" and form.is_valid():
            try:
                output = rehearsal_run(policy, **form.cleaned_data)
            except RehearsalFailed as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rehearse “%(policy)s”") % {"policy": policy},
            "policy": policy,
            "form": themed(form),
            "output": output,
            "error": error,
        }
        return render(request, "admin/reports/rehearsal.html", context)


def figure(value) -> str:
    """Return a figure as people read it: grouped thousands, two decimals for money, one else."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return number_format(value, 2, use_l10n=True, force_grouping=True)
    if isinstance(value, float):
        return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    return number_format(value, use_l10n=True, force_grouping=True)


# The dashboard's forms as drawn, by form, language and what else varies: the period picker's
# values and categories (as read for this request, so a renamed or added one draws anew in every
# process), nothing else for the two blank forms. Drawing their widgets and the theme's field
# templates was about a fifth of the page's CPU.
_drawn: dict[tuple, SafeString] = {}
DRAWN_KEPT = 64


def period_fields_html(form: DashboardForm, categories: list[Category]) -> SafeString:
    """Return the period picker's fields, drawn once for each language, values and groups."""
    if form.errors:
        return _fields_draw(form, PERIOD_FIELDS)
    groups = tuple((c.pk, c.name) for c in categories if c.parent_id is None)
    values = tuple(form.data.get(name) for name in form.fields)
    return _fields_drawn(form, PERIOD_FIELDS, values, groups)


def form_fields_html(form: forms.Form) -> SafeString:
    """Return the fields of a blank form, drawn once for each language."""
    return _fields_drawn(form, "admin/redress/fields.html")


PERIOD_FIELDS = "admin/reports/period_fields.html"


def _fields_drawn(form: forms.Form, template: str, *varies) -> SafeString:
    key = (type(form), get_language(), *varies)
    html = _drawn.get(key)
    if html is None:
        if len(_drawn) >= DRAWN_KEPT:
            _drawn.clear()
        html = _drawn[key] = _fields_draw(form, template)
    return html


def _fields_draw(form: forms.Form, template: str) -> SafeString:
    return render_to_string(template, {"form": themed(form)})


def _back(request):
    return redirect("admin:reports_complaintfigures_changelist")
