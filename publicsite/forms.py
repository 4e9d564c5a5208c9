"""The public forms: submission, tracking lookup and the complainant's actions on a case."""

from __future__ import annotations

import base64
import datetime as dt
import pickle
import secrets
import time
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.forms.renderers import Jinja2
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import clock, references
from complaints.models import Category
from complaints.uploads import ACCEPT, CheckedFile, check_case_total, check_upload
from complaints.validators import validate_email_local_part

# The salt keeps the module's old name: forms served before the move still post.
STAMP_SALT = "complaints.forms.stamp"
LINE_CONTROLS_ALLOWED: set[str] = set()
TEXT_CONTROLS_ALLOWED = {"\n", "\r", "\t"}
CONFIGURABLE = "required", "optional", "hidden"
# The form fields that are fields of the complaint itself (incident_at is built from two).
COMPLAINT_FIELDS = {
    "complainant_name",
    "complainant_email",
    "complainant_phone",
    "account_identifier",
    "category",
    "product_or_service",
    "description",
    "earlier_contact",
    "desired_outcome",
}


def refuse_control_characters(value: str, allowed: set[str]) -> None:
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValidationError(
            _("Remove the control characters (such as NUL) from this field."), code="control"
        )


class LineField(forms.CharField):
    """One line of text: no control characters at all."""

    def validate(self, value: str) -> None:
        super().validate(value)
        refuse_control_characters(value, LINE_CONTROLS_ALLOWED)


class TextField(forms.CharField):
    """Several lines of text: line breaks and tabs, no other control characters."""

    widget = forms.Textarea(attrs={"rows": 6})

    def validate(self, value: str) -> None:
        super().validate(value)
        refuse_control_characters(value, TEXT_CONTROLS_ALLOWED)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files, each checked by content; cleans to a list of CheckedFile."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def __init__(self, *args, already_stored: int = 0, **kwargs) -> None:
        self.already_stored = already_stored
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[CheckedFile]:
        uploads = [item for item in (data or []) if item] if isinstance(data, list) else [data]
        uploads = [upload for upload in uploads if upload]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > settings.REDRESS_UPLOAD_MAX_FILES:
            raise ValidationError(
                _("Send at most %(count)d files.") % {"count": settings.REDRESS_UPLOAD_MAX_FILES}
            )
        errors, checked = [], []
        for upload in uploads:
            try:
                checked.append(check_upload(super().clean(upload, initial)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        check_case_total(checked, already=self.already_stored)
        return checked


def new_stamp() -> str:
    """Return a signed stamp of when the form was handed out, with a one-time nonce."""
    return signing.dumps({"t": time.time(), "n": secrets.token_urlsafe(16)}, salt=STAMP_SALT)


def stamp_use_once(stamp: str) -> bool:
    """Spend the stamp's nonce; return False if this form was already sent once.

    Kept in the database cache whatever CACHE_URL says: the database stores the complaint
    anyway, and an `add` there is guarded by the table's primary key. On PostgreSQL the `add`
    is one INSERT … ON CONFLICT: the cache's own add counts the whole table first (to cull
    it), a cost that grows with every form sent within REDRESS_FORM_MAX_AGE_SECONDS, then
    reads and writes the key in a transaction of its own: five statements per submission.
    """
    nonce = signing.loads(stamp, salt=STAMP_SALT)["n"]
    cache = caches["database"]
    key = f"form-nonce:{nonce}"
    timeout = settings.REDRESS_FORM_MAX_AGE_SECONDS
    if connection.vendor != "postgresql":
        return cache.add(key, 1, timeout=timeout)
    now = clock.now().replace(microsecond=0)
    table = connection.ops.quote_name(settings.CACHES["database"]["LOCATION"])
    with connection.cursor() as cursor:
        # Taken unless the key is there and not yet expired (as the cache's add decides).
        cursor.execute(
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)"
            " ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value,"
            f" expires = EXCLUDED.expires WHERE {table}.expires < %s RETURNING 1",
            [
                cache.make_and_validate_key(key),
                base64.b64encode(pickle.dumps(1, pickle.HIGHEST_PROTOCOL)).decode("latin1"),
                now + dt.timedelta(seconds=timeout),
                now,
            ],
        )
        return cursor.fetchone() is not None


class PublicForm(forms.Form):
    """A form of the public pages, rendered with Django's Jinja2 form templates.

    They are Django's own field and widget markup, rendered several times faster than with the
    template language: the submission form is most of the cost of the public site's busiest page.
    The admin keeps the default renderer, since its widgets exist only as Django templates.
    """

    default_renderer = Jinja2()


class HumanCheckMixin(PublicForm):
    """A honeypot field that people never see, and a signed stamp that must not be too fresh."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)

    def clean_stamp(self) -> str:
        stamp = self.cleaned_data["stamp"]
        try:
            issued = signing.loads(
                stamp, salt=STAMP_SALT, max_age=settings.REDRESS_FORM_MAX_AGE_SECONDS
            )["t"]
        except (signing.BadSignature, KeyError, TypeError):
            raise ValidationError(
                _("This form has expired. Check your entries and send it again."), code="expired"
            ) from None
        if time.time() - issued < settings.REDRESS_FORM_MIN_SECONDS:
            raise ValidationError(
                _("That was very quick. Check your entries and send the form again."),
                code="too_fast",
            )
        return stamp

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise ValidationError(_("Leave the last field empty."), code="honeypot")
        return ""

    def refresh_stamp(self) -> None:
        """Hand out a fresh stamp when the form is shown again after its stamp was refused."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict, bound by the view
        data[self.add_prefix("stamp")] = new_stamp()
        self.data = data


def category_choices(categories: list[Category]) -> list:
    """Return choices with each category's sub-types grouped under it."""
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: list = [("", _("Choose what it is about"))]
    for category in categories:
        if category.parent_id:
            continue
        subtypes = children.get(category.pk)
        if subtypes:
            choices.append(
                (category.display_name, [(sub.pk, sub.display_name) for sub in subtypes])
            )
        else:
            choices.append((category.pk, category.display_name))
    return choices


class ComplaintForm(HumanCheckMixin):
    complainant_name = LineField(label=gettext_lazy("Your name"), max_length=200)
    complainant_email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        validators=[validate_email_local_part],
        help_text=gettext_lazy("We send the reference number and your tracking link here."),
    )
    complainant_phone = LineField(
        label=gettext_lazy("Phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    account_identifier = LineField(
        label=gettext_lazy("Username, customer number or order number"), max_length=120
    )
    category = forms.TypedChoiceField(label=gettext_lazy("What is it about?"), coerce=int)
    product_or_service = LineField(
        label=gettext_lazy("Product or service concerned"), max_length=200
    )
    incident_date = forms.DateField(
        label=gettext_lazy("When did it happen?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    incident_time = forms.TimeField(
        label=gettext_lazy("At what time, if you know it"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    description = TextField(
        label=gettext_lazy("What happened?"),
        max_length=10000,
        help_text=gettext_lazy("Describe the problem in your own words, with what matters to you."),
    )
    earlier_contact = TextField(
        label=gettext_lazy("What have you already tried?"),
        max_length=5000,
        help_text=gettext_lazy("For example earlier emails or calls to us, with dates."),
    )
    desired_outcome = TextField(
        label=gettext_lazy("What would put it right for you?"), max_length=5000
    )
    # The metaclass moves declared fields off the class: no clash with BaseForm.files.
    files = FilesField(label=gettext_lazy("Supporting files"))  # type: ignore[assignment]
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that my details are used to handle this complaint, as the privacy notice "
            "above explains."
        )
    )

    field_order = [
        "complainant_name",
        "complainant_email",
        "complainant_phone",
        "account_identifier",
        "category",
        "product_or_service",
        "incident_date",
        "incident_time",
        "description",
        "earlier_contact",
        "desired_outcome",
        "files",
        "consent",
        "website",
        "stamp",
    ]

    def __init__(self, *args, categories: list[Category], time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = ZoneInfo(time_zone)
        self.categories = {category.pk: category for category in categories}
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = category_choices(categories)
        config = settings.REDRESS_FORM_FIELDS
        for name in ("complainant_phone", "account_identifier", "product_or_service"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["complainant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["complainant_email"].widget.attrs["autocomplete"] = "email"
        self._configure(config)
        for name, field in self.fields.items():
            if not field.required and name not in ("website", "stamp"):
                field.label = format_lazy("{} ({})", field.label, gettext_lazy("optional"))
        limit = settings.REDRESS_UPLOAD_MAX_FILE_BYTES // (1024 * 1024)
        if "files" in self.fields:
            self.fields["files"].help_text = _(
                "Screenshots, receipts, photos or correspondence: PDF, images, text, CSV or email "
                "files, up to %(limit)d MB each."
            ) % {"limit": limit}

    def _configure(self, config: dict[str, str]) -> None:
        for name, mode in config.items():
            if mode not in CONFIGURABLE:
                raise ValueError(f"REDRESS_FORM_FIELDS[{name!r}] must be one of {CONFIGURABLE}.")
            fields = ["incident_date", "incident_time"] if name == "incident_at" else [name]
            if name == "category" and not self.categories:
                mode = "hidden"
            for field in fields:
                if mode == "hidden":
                    self.fields.pop(field, None)
                elif field != "incident_time":
                    self.fields[field].required = mode == "required"

    def fields_html(self) -> str:
        """Return the markup of the visible fields.

        A blank form's is the same for everyone who reads the page in one language while the
        categories stay as they are, so it is rendered once for each such pair and kept: the
        fields are most of the cost of showing the form. The key holds the categories' names
        as read for this request, so a renamed or added one renders anew in every process.
        """
        if self.is_bound or set(self.initial) - {"stamp"}:
            return _fields_render(self)
        key = (
            translation.get_language(),
            tuple(
                (category.pk, category.parent_id, category.display_name)
                for category in self.categories.values()
            ),
        )
        html = _BLANK_FIELDS.get(key)
        if html is None:
            if len(_BLANK_FIELDS) >= BLANK_FIELDS_KEPT:
                _BLANK_FIELDS.clear()
            html = _BLANK_FIELDS[key] = _fields_render(self)
        return html

    def clean_category(self) -> Category | None:
        pk = self.cleaned_data.get("category")
        if pk in (None, ""):
            return None
        category = self.categories.get(pk)
        if category is None:
            raise ValidationError(_("Choose one of the listed topics."))
        return category

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, at = cleaned.get("incident_date"), cleaned.get("incident_time")
        cleaned["incident_at"] = None
        if day is not None:
            moment = dt.datetime.combine(day, at or dt.time(0, 0), tzinfo=self.time_zone)
            if moment > clock.now():
                self.add_error("incident_date", _("The date it happened cannot be in the future."))
            else:
                cleaned["incident_at"] = moment
        return cleaned

    def complaint_fields(self) -> dict:
        data = self.cleaned_data
        names = [name for name in self.field_order if name in COMPLAINT_FIELDS] + ["incident_at"]
        fields = {name: data[name] for name in names if name in data}
        return {name: value for name, value in fields.items() if value not in (None, "")}


# The blank submission form's fields, by language and categories (see fields_html); emptied
# when a setting changes (the fields a site asks for, the upload limits in the hints).
_BLANK_FIELDS: dict[tuple, str] = {}
BLANK_FIELDS_KEPT = 32


def _fields_render(form: ComplaintForm) -> str:
    return render_to_string("complaints/complaint_form_fields.html", {"form": form})


@receiver(setting_changed)
def _blank_fields_forget(**kwargs: Any) -> None:
    _BLANK_FIELDS.clear()


class LookupForm(PublicForm):
    reference = LineField(
        label=gettext_lazy("Reference number"),
        max_length=20,
        help_text=gettext_lazy("As in our acknowledgement, for example K7Q-M4X-H9P."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        validators=[validate_email_local_part],
    )

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"]
        if not references.is_valid(reference):
            raise ValidationError(
                _("This is not a reference number of ours; check it against our email.")
            )
        return references.normalise(reference)


class ReplyForm(PublicForm):
    body = TextField(label=gettext_lazy("Your message"), max_length=10000)
    files = FilesField(label=gettext_lazy("Files"))  # type: ignore[assignment]

    def __init__(self, *args, already_stored: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        files = self.fields["files"]
        assert isinstance(files, FilesField)
        files.already_stored = already_stored


class EscalationForm(PublicForm):
    grounds = TextField(
        label=gettext_lazy("Why are you not satisfied with our response?"), max_length=10000
    )
    desired_outcome = TextField(
        label=gettext_lazy("What outcome do you ask for?"), max_length=5000, required=False
    )


class WithdrawForm(PublicForm):
    reason = TextField(
        label=gettext_lazy("Would you tell us why? (optional)"), max_length=5000, required=False
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Yes, withdraw my complaint. I understand that we will stop working on it."
        )
    )


class RatingForm(PublicForm):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How well did we handle your complaint?"),
        coerce=int,
        choices=[
            (5, gettext_lazy("5 – very well")),
            (4, gettext_lazy("4 – well")),
            (3, gettext_lazy("3 – neither well nor badly")),
            (2, gettext_lazy("2 – badly")),
            (1, gettext_lazy("1 – very badly")),
        ],
        widget=forms.RadioSelect,
    )
    comment = TextField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        max_length=5000,
        required=False,
    )
