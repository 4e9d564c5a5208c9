"""The forms of the handler console: one per action that needs input, each with only its fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.choices import (
    Channel,
    Language,
    Outcome,
    RedressEntryType,
    RedressKind,
    Remedy,
    State,
    VulnerabilityDriver,
)
from complaints.models import CONTACT_FIELDS, STATEMENT_FIELDS, Category, Complaint
from complaints.roles import HANDLERS

COMPLAINANT_FIELDS = [*CONTACT_FIELDS, "language"]
# Every field whose words reach the complainant says so on the form.
SENT = _("Sent to the complainant.")
COMPLAINT_TEXT_FIELDS = list(STATEMENT_FIELDS)
TEXTAREA = forms.Textarea(attrs={"rows": 5, "cols": 80})


def handlers_queryset():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=HANDLERS)
        .order_by("first_name", "last_name", "username")
    )


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the complainant"),
        widget=TEXTAREA,
        help_text=_("Sent to the complainant, by email or as a letter to post."),
    )


class InformationRequestForm(forms.Form):
    body = forms.CharField(
        label=_("Question to the complainant"),
        widget=TEXTAREA,
        help_text=_(
            "Sent to the complainant (by email, or as a letter to post) and shown on the "
            "tracking page; the case waits for the answer."
        ),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"), widget=TEXTAREA, help_text=_("Never shown to the complainant.")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=TEXTAREA, help_text=_("For the case record; not sent.")
    )


class ComplexReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is complex"),
        widget=TEXTAREA,
        help_text=_("Sent to the complainant with the later date for our full response."),
    )


class DeadlineExtensionForm(forms.Form):
    resolve_by = forms.SplitDateTimeField(
        label=_("New full-response deadline"), widget=AdminSplitDateTime, help_text=SENT
    )
    reason = forms.CharField(
        label=_("Reason the complainant will be told"),
        widget=TEXTAREA,
        help_text=_("Sent to the complainant with the new date: say why more time is needed."),
    )

    def clean_resolve_by(self):
        value = self.cleaned_data["resolve_by"]
        if value <= clock.now():
            raise forms.ValidationError(_("The new deadline must be in the future."))
        return value


class HoldingReplyForm(forms.Form):
    """A rule pack's holding reply: why we are not ready, and when we expect to respond."""

    reasons = forms.CharField(
        label=_("Why we are not yet in a position to send the final response"),
        widget=TEXTAREA,
        help_text=SENT,
    )
    expected_by = forms.SplitDateTimeField(
        label=_("We expect to send the final response by"),
        widget=AdminSplitDateTime,
        help_text=_(
            "Sent to the complainant. For payment services (DISP 1.6.2A) no later than 35 "
            "business days after receipt."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Send this holding reply to the complainant now"),
        help_text=_(
            "It also tells them that they may refer the complaint to the ombudsman now, with "
            "the ombudsman's details, as the rule pack requires."
        ),
        error_messages={"required": _("Tick to confirm that the holding reply is sent.")},
    )

    def clean_expected_by(self):
        value = self.cleaned_data["expected_by"]
        if value <= clock.now():
            raise forms.ValidationError(_("The date must be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service takes the reasons and the date; the tick is the form's own.
        cleaned.pop("confirm", None)
        return cleaned


class AssignForm(forms.Form):
    handler = HandlerChoiceField(label=_("Handler"), queryset=handlers_queryset())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated per form, not at import: handlers join and leave.
        handler = self.fields["handler"]
        assert isinstance(handler, forms.ModelChoiceField)
        handler.queryset = handlers_queryset()


class ResponseForm(forms.Form):
    """The written response; its fields are complaint_respond's arguments."""

    findings = forms.CharField(label=_("Findings"), widget=TEXTAREA, help_text=SENT)
    actions = forms.CharField(
        label=_("Actions taken"), widget=TEXTAREA, required=False, help_text=SENT
    )
    remedies = forms.MultipleChoiceField(
        label=_("Remedy"),
        choices=Remedy.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=SENT,
    )
    redress_amount = forms.DecimalField(
        label=_("Redress amount"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=SENT,
    )
    redress_kind = forms.ChoiceField(
        label=_("Kind of redress"),
        choices=[("", _("From the remedy")), *RedressKind.choices],
        required=False,
        help_text=_(
            "For the redress ledger. Above your approval limit the offer waits for a second "
            "approver, and the response with it."
        ),
    )
    redress_currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("Give a three-letter currency code."))],
        help_text=_(
            "Sent to the complainant. ISO code such as EUR or GBP; the default currency if "
            "left empty."
        ),
    )
    reasoning = forms.CharField(
        label=_("Reasoning"),
        widget=TEXTAREA,
        help_text=_("Sent to the complainant: the reasons behind the decision."),
    )
    # No outcome is preselected: a handler who forgets to choose is asked, not sent "Upheld".
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome")), *Outcome.choices],
        error_messages={"required": _("Choose the outcome of the complaint.")},
        help_text=SENT,
    )

    def clean_redress_currency(self) -> str:
        return self.cleaned_data["redress_currency"].upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("redress_currency") and cleaned.get("redress_amount") is None:
            self.add_error("redress_amount", _("Give the amount the currency belongs to."))
        return cleaned


class ResolveForm(forms.Form):
    """Closing a case is confirmed on a page of its own, with an optional note for the file."""

    note = forms.CharField(
        label=_("Note for the file"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("The case closes and the complainant is told it is resolved."),
    )


class AttachmentForm(forms.Form):
    upload = forms.FileField(label=_("File"))
    is_internal = forms.BooleanField(
        label=_("Staff only"),
        required=False,
        help_text=_("Tick to keep the file off the complainant's tracking page."),
    )


# Channels a handler logs by hand; the web and in-app forms log themselves.
LOGGED_CHANNELS = [
    (value, label) for value, label in Channel.choices if value not in {"web", "in_app"}
]


class LoggedComplaintForm(forms.ModelForm):
    """A complaint that came by phone, post or in person, typed in by the handler."""

    channel = forms.ChoiceField(label=_("Channel"), choices=LOGGED_CHANNELS)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The policy's language")), *Language.choices],
        required=False,
        help_text=_("The language we write to the complainant in."),
    )
    received_at = forms.SplitDateTimeField(
        label=_("Received"),
        widget=AdminSplitDateTime,
        help_text=_("When it reached us: the deadlines run from this moment."),
    )
    incident_at = forms.SplitDateTimeField(
        label=_("When it happened"), widget=AdminSplitDateTime, required=False
    )

    class Meta:
        model = Complaint
        fields = [
            "channel",
            "received_at",
            *COMPLAINANT_FIELDS,
            "category",
            "product_or_service",
            "incident_at",
            *COMPLAINT_TEXT_FIELDS,
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(is_active=True).select_related("parent")

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > clock.now():
            raise forms.ValidationError(_("A complaint cannot be received in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        received, incident = cleaned.get("received_at"), cleaned.get("incident_at")
        if received and incident and incident > received:
            self.add_error("incident_at", _("It cannot have happened after we received it."))
        if not (cleaned.get("complainant_email") or cleaned.get("complainant_phone")) and not (
            cleaned.get("complainant_address")
        ):
            self.add_error(
                "complainant_email", _("Give at least one way to reach the complainant.")
            )
        return cleaned


class CaseCorrectionForm(forms.ModelForm):
    """The case page's own form: corrections of contact details and classification.

    It carries the version of the case it was drawn from. Checked under the row's lock, so a
    lifecycle service (or another correction) that changed the case meanwhile makes the form
    say so and keep what was typed, rather than overwrite the row or fail.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        current = (
            Complaint.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("state", "updated_at")
            .get()
        )
        seen = (cleaned or {}).get("version") or self.instance.updated_at.isoformat()
        if current["state"] != self.instance.state or seen != current["updated_at"].isoformat():
            # The next save is taken as seen: the message asked to check against the case.
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
            data[self.add_prefix("version")] = current["updated_at"].isoformat()
            self.data = data
            raise forms.ValidationError(
                _(
                    "This case changed meanwhile (it is now %(state)s). Your input is kept "
                    "below: check it against the case and save again."
                )
                % {"state": State(current["state"]).label},
                code="changed",
            )
        return cleaned


class LetterPostedForm(forms.Form):
    """When a letter went in the post: now, unless the handler gives an earlier moment."""

    posted_at = forms.DateTimeField(
        label=_("Posted at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )


CURRENCY = RegexValidator(r"^[A-Za-z]{3}$", _("Give a three-letter currency code."))


class VulnerabilityForm(forms.Form):
    """A vulnerable complainant's drivers, handling notes and adjustments; staff only."""

    drivers = forms.MultipleChoiceField(
        label=_("Drivers of vulnerability"),
        choices=VulnerabilityDriver.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "The FCA's four drivers (FG21/1); tick every one that applies. None ticked: the "
            "case is not flagged."
        ),
    )
    notes = forms.CharField(
        label=_("Handling notes"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Staff only: never shown to the complainant, never in the figures."),
    )
    by_post = forms.BooleanField(
        label=_("Write by post instead of email"),
        required=False,
        help_text=_("Every message to the complainant becomes a letter to post."),
    )
    large_print = forms.BooleanField(label=_("Large print"), required=False)
    call_before_writing = forms.BooleanField(label=_("Call before writing"), required=False)
    named_contact = HandlerChoiceField(
        label=_("Named contact"),
        queryset=handlers_queryset(),
        required=False,
        help_text=_("The case stays with this person: assigning it elsewhere warns."),
    )
    other_adjustments = forms.CharField(
        label=_("Other adjustments"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["named_contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = handlers_queryset()


class RedressEntryForm(forms.Form):
    """An offer, an acceptance or a payment for the case's redress ledger."""

    entry_type = forms.ChoiceField(label=_("Entry"), choices=RedressEntryType.choices)
    kind = forms.ChoiceField(label=_("Kind of redress"), choices=RedressKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        validators=[CURRENCY],
        help_text=_("ISO code such as EUR or GBP; the default currency if left empty."),
    )
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When it was offered, accepted or paid; today if left empty."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the case record and the colleague who recorded it; not sent."),
    )
