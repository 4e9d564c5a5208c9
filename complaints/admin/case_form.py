"""The case page's fieldsets, drawn in Python with the markup of the theme's fieldset template.

The theme's admin/includes/fieldset.html resolves some twenty template variables and several
template tags per field; over the forty fields of the case page that was a third of the page's
time (bench/run.py). The labels, values, widgets and errors still come from the admin's own
helpers and the classes are the theme's ("compressed" rows: label beside value), so they read as
anywhere in the console.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.helpers import AdminForm
from django.forms import ModelChoiceField
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

HEADING = (
    "bg-base-100 flex flex-row font-semibold h-[38px] gap-1 items-center mb-4 px-3 "
    "rounded-default text-important dark:bg-white/[.02]"
)
ROWS = "form-rows aligned border border-base-200 rounded-default shadow-xs dark:border-base-800"
LINE = (
    "field-line flex flex-col grow group group/line px-3 py-2.5 border-b border-base-200 "
    "border-dashed min-h-[59px] group-[.last]/row:border-b-0 lg:flex-row lg:items-center "
    "dark:border-base-800"
)
LABEL = "lg:min-w-56 lg:w-56 lg:self-start lg:leading-[38px] lg:*:m-0"
READONLY = "readonly break-words max-w-2xl *:rounded-default lg:leading-[38px]"


def fieldsets_html(adminform: AdminForm) -> SafeString:
    """Return the fieldsets of `adminform`, whose lines hold one field each, as HTML."""
    # An unbound form has no errors; asking each field would render an empty list per field.
    has_errors = bool(adminform.form.errors)
    return mark_safe(
        "".join(
            _fieldset(fieldset, number, has_errors) for number, fieldset in enumerate(adminform)
        )
    )


# Any: django-stubs' Fieldset and AdminField lack attributes the admin's own template reads.
def _fieldset(fieldset: Any, number: int, has_errors: bool) -> str:
    heading = f"fieldset-0-{number}-heading"
    collapsible = fieldset.name and fieldset.is_collapsible
    parts: list[str] = [
        format_html(
            '<fieldset class="module relative mb-8 {}"{}>',
            fieldset.classes,
            format_html(' aria-labelledby="{}"', heading) if fieldset.name else "",
        )
    ]
    if fieldset.name:
        title = format_html('<h2 id="{}" class="{}">{}</h2>', heading, HEADING, fieldset.name)
        parts.append(f"<details><summary>{title}</summary>" if collapsible else title)
    if fieldset.description:
        parts.append(
            format_html(
                '<div class="leading-relaxed mb-4 max-w-4xl text-sm">{}</div>',
                mark_safe(fieldset.description),
            )
        )
    parts.append(format_html('<div class="{}">', ROWS))
    lines = list(fieldset)
    for index, line in enumerate(lines):
        (field,) = line
        parts.append(_line(line, field, has_errors, last=index == len(lines) - 1))
    parts.append("</div>")
    parts.append("</details></fieldset>" if collapsible else "</fieldset>")
    return "".join(parts)


# An editable field's label goes through the form renderer's template (a tenth of the lines'
# time): it depends only on what the key names, so it is drawn once each.
_labels: dict[tuple, SafeString] = {}


def _editable_label(field: Any) -> SafeString:
    """Return `field.label_tag()` of an editable field (UnfoldAdminField)."""
    bound = field.field
    # Not keyed by the form's class: the admin makes a new one for each request.
    key = (
        bound.name,
        bound.auto_id,
        str(bound.label),
        bound.field.required,
        type(bound.field.widget),
        getattr(bound.form, "required_css_class", ""),
    )
    label = _labels.get(key)
    if label is None:
        label = _labels[key] = field.label_tag()
    return label


def _line(line, field: Any, has_errors: bool, last: bool) -> str:
    if field.is_readonly:
        about = field.field
        name, help_text, is_hidden = about["name"], about["help_text"], about["is_hidden"]
        value = format_html('<div class="{}">{}</div>', READONLY, field.contents())
    else:
        bound = field.field
        name, help_text, is_hidden = bound.name, bound.help_text, bound.is_hidden
        value = format_html("{}", bound)
    errors = line.errors() if has_errors else ""
    help_html = (
        format_html('<div class="leading-relaxed mt-2 text-xs">{}</div>', mark_safe(str(help_text)))
        if help_text
        else ""
    )
    return format_html(
        '<div class="form-row field-row group/row{}{}"><div class="{} field-{}{}">'
        '<div class="{}">{}</div><div class="grow relative">{}{}{}</div></div></div>',
        " last" if last else "",
        "" if line.has_visible_field and not is_hidden else " hidden",
        LINE,
        name,
        " errors" if errors else "",
        LABEL,
        field.label_tag() if field.is_readonly else _editable_label(field),
        value,
        help_html,
        format_html('<div class="mt-2 text-red-600 text-xs dark:text-red-500">{}</div>', errors)
        if errors
        else "",
    )


# An empty form's markup depends only on its class, its ids and the language: drawn once each.
_empty_forms: dict[tuple[type, str, str | None], SafeString] = {}


def empty_form_html(form: Any) -> SafeString:
    """Return the fields of the unbound, uninitialised `form`, each with its label and help.

    The case page offers the same empty forms (a message, a note, a file, a link) on every case;
    drawing their widgets and labels through the form renderer was a tenth of its time.
    """
    # Choices read from the database would go stale in a drawing kept for the process.
    if (
        form.is_bound
        or form.initial
        or any(isinstance(field, ModelChoiceField) for field in form.fields.values())
    ):
        return _form_fields_html(form)
    key = (type(form), str(form.auto_id), get_language())
    drawn = _empty_forms.get(key)
    if drawn is None:
        drawn = _empty_forms[key] = _form_fields_html(form)
    return drawn


def _form_fields_html(form: Any) -> SafeString:
    return mark_safe(
        "".join(
            format_html(
                '<div class="mb-3">{}{}{}</div>',
                field.label_tag(),
                format_html(
                    '<div class="leading-relaxed mb-1 text-xs" id="{}_helptext">{}</div>',
                    field.auto_id,
                    field.help_text,
                )
                if field.help_text
                else "",
                field,
            )
            for field in form
        )
    )
