from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.exceptions import ComplaintError
from complaints.models import Category
from reports.periods import Period, half_year, last_days

DEFAULT_DAYS = 90


class DashboardForm(forms.Form):
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    category = forms.ModelChoiceField(
        Category.objects.filter(parent__isnull=True), label=_("Category"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Days are the site's local days (TIME_ZONE), not UTC's.
        today = timezone.localdate(clock.now())
        default = last_days(today, DEFAULT_DAYS)
        try:
            data["period"] = Period(data.get("first") or default.first, data.get("last") or today)
        except ComplaintError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class ReturnForm(forms.Form):
    period = forms.CharField(label=_("Half-year"), help_text=_("Like 2026H1 or 2026H2."))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("text", _("Text")), ("page", _("Page"))]
    )

    def clean_period(self) -> Period:
        try:
            return half_year(self.cleaned_data["period"])
        except ComplaintError as exc:
            raise forms.ValidationError(str(exc)) from exc


class SubjectAccessForm(forms.Form):
    email = forms.EmailField(label=_("Complainant's email"))


class RehearsalForm(forms.Form):
    received = forms.DateTimeField(
        label=_("Received"),
        help_text=_("In the policy's time zone; empty for now."),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local"}),
    )
    complex_case = forms.BooleanField(label=_("The handler marks it complex"), required=False)
    escalate = forms.BooleanField(label=_("The complainant asks for a review"), required=False)
    reopen = forms.BooleanField(label=_("Staff reopen it after it closed"), required=False)
    # Under a rule pack: DISP's summary resolution communication, or its holding reply.
    quick = forms.BooleanField(
        label=_("The handler responds the next business day"), required=False
    )
    slow = forms.BooleanField(
        label=_("The handler responds only just before the regulator's limit"), required=False
    )

    def __init__(self, *args, policy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("quick") and cleaned.get("slow"):
            raise forms.ValidationError(_("Choose a quick or a slow response, not both."))
        return cleaned

    def clean_received(self):
        received = self.cleaned_data.get("received")
        # The browser sends a wall-clock time: it is the policy's, not the server's.
        return received and received.replace(tzinfo=None)
