"""The case page's fieldsets, drawn in Python with the markup of the theme's fieldset template.

The theme's admin/includes/fieldset.html resolves some twenty template variables and several
template tags per field; over the forty fields of the case page that was a third of the page's
time (bench/run.py). The labels, values, widgets and errors still come from the admin's own
helpers and the classes are the theme's ("compressed" rows: label beside value), so they read as
anywhere in the console.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.admin.helpers import AdminForm
from django.db.models import BooleanField, JSONField
from django.forms import ModelChoiceField
from django.forms.widgets import DateTimeBaseInput
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from unfold.fields import UnfoldAdminField, UnfoldAdminReadonlyField
from unfold.utils import _boolean_icon as boolean_icon
from unfold.utils import prettify_json

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
# The classes written into the markup, not passed to format_html: it would escape each again on
# every line (some 500 escapes a case page, nothing in them to escape).
LINE_HTML = (
    '<div class="form-row field-row group/row{}{}"><div class="' + LINE + ' field-{}{}">'
    '<div class="' + LABEL + '">{}</div><div class="grow relative">{}{}{}</div></div></div>'
)
READONLY_HTML = '<div class="' + READONLY + '">{}</div>'


def fieldsets_html(adminform: AdminForm) -> SafeString:
    """Return the fieldsets of `adminform`, whose lines hold one field each, as HTML."""
    # An unbound form has no errors; asking each field would render an empty list per field.
    has_errors = bool(adminform.form.errors)
    return mark_safe(
        "".join(
            _fieldset(adminform, fieldset, number, has_errors)
            for number, fieldset in enumerate(adminform)
        )
    )


# Any: django-stubs' Fieldset and AdminField lack attributes the admin's own template reads.
def _fieldset(adminform: AdminForm, fieldset: Any, number: int, has_errors: bool) -> str:
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
    # The lines are drawn from the field names rather than through the admin's Fieldline, whose
    # readonly fields look up their label, help text and value afresh for each field on each
    # request (a quarter of the case page's time with the widgets, profile_pages.py).
    form, readonly = adminform.form, adminform.readonly_fields
    last = len(fieldset.fields) - 1
    for index, name in enumerate(fieldset.fields):
        if name in readonly:
            parts.append(_readonly_line(adminform, name, index == last))
        else:
            parts.append(_editable_line(form, name, has_errors, index == last))
    parts.append("</div>")
    parts.append("</details></fieldset>" if collapsible else "</fieldset>")
    return "".join(parts)


# An editable field's label goes through the form renderer's template (a tenth of the lines'
# time): it depends only on what the key names, so it is drawn once each.
_labels: dict[tuple, SafeString] = {}


def _editable_label(form: Any, bound: Any) -> SafeString:
    """Return the theme's label of the editable field `bound` (UnfoldAdminField.label_tag)."""
    # Not keyed by the form's class: the admin makes a new one for each request.
    key = (
        bound.name,
        bound.auto_id,
        str(bound.label),
        bound.field.required,
        type(bound.field.widget),
        getattr(form, "required_css_class", ""),
    )
    label = _labels.get(key)
    if label is None:
        label = _labels[key] = UnfoldAdminField(form, bound.name, is_first=True).label_tag()
    return label


def _editable_line(form: Any, name: str, has_errors: bool, last: bool) -> str:
    bound = form[name]
    errors = mark_safe(bound.errors.as_ul()) if has_errors and bound.errors else ""
    return _line(
        name,
        _editable_label(form, bound),
        widget_html(bound),
        bound.help_text,
        hidden=bound.is_hidden,
        errors=errors,
        last=last,
    )


@dataclass(frozen=True)
class _Readonly:
    """What a readonly field shows that depends only on its admin, its name and the language."""

    label: Any
    label_html: SafeString
    help_text: Any
    json_encoder: Any  # the model field's encoder, for a JSONField; else None
    is_json: bool
    is_boolean: bool  # a BooleanField without choices: the theme's icon for its value


_readonly: dict[tuple, _Readonly] = {}


def _readonly_about(adminform: AdminForm, name: str) -> _Readonly:
    key = (type(adminform.model_admin), name, get_language())
    about = _readonly.get(key)
    if about is None:
        field = UnfoldAdminReadonlyField(
            adminform.form, name, is_first=True, model_admin=adminform.model_admin
        )
        model_field = field.resolved_field[0] if field.resolved_field else None
        about = _readonly[key] = _Readonly(
            label=field.field["label"],
            label_html=field.label_tag(),
            help_text=field.field["help_text"],
            json_encoder=getattr(model_field, "encoder", None),
            is_json=isinstance(model_field, JSONField),
            is_boolean=isinstance(model_field, BooleanField)
            and not getattr(model_field, "flatchoices", None),
        )
    return about


def _readonly_line(adminform: AdminForm, name: str, last: bool) -> str:
    about = _readonly_about(adminform, name)
    form = adminform.form
    hidden = name in form.fields and form.fields[name].widget.is_hidden
    if about.is_json:
        contents = _pretty_json(getattr(form.instance, name), about.json_encoder)
    elif about.is_boolean:
        contents = _boolean_icon(getattr(form.instance, name))
    else:
        contents = _readonly_field(adminform, name, about).contents()
    return _line(
        name,
        about.label_html,
        format_html(READONLY_HTML, contents),
        about.help_text,
        hidden=hidden,
        errors="",
        last=last,
    )


def _readonly_field(adminform: AdminForm, name: str, about: _Readonly) -> Any:
    """Return the theme's readonly field `name`, without looking up its label and help again.

    Its __init__ would find them (label_for_field, help_text_for_field, lookup_field) for each
    field on each request; they are the same each time (_readonly_about keeps them).
    """
    field = UnfoldAdminReadonlyField.__new__(UnfoldAdminReadonlyField)
    field.field = {
        "name": name,
        "label": about.label,
        "help_text": about.help_text,
        "field": name,
        "is_hidden": False,
    }
    model_admin: Any = adminform.model_admin
    field.form = adminform.form
    field.model_admin = model_admin
    field.is_first = True
    field.is_checkbox = False
    field.is_readonly = True
    field.empty_value_display = model_admin.get_empty_value_display()
    return field


# The theme shows a JSONField highlighted by pygments in two styles, building both formatters
# (their stylesheets) on each call: the markup depends only on the JSON text, so it is kept.
_json_drawn: dict[tuple[str, Any], SafeString] = {}
JSON_DRAWN_MAX = 256


def _pretty_json(value: Any, encoder: Any) -> Any:
    text = json.dumps(value, sort_keys=True, indent=4, cls=encoder)
    drawn = _json_drawn.get((text, encoder))
    if drawn is None:
        drawn = prettify_json(value, encoder)
        if drawn is None:  # no pygments: the theme's own fallback
            return conditional_escape(json.dumps(value, ensure_ascii=False, cls=encoder))
        if len(_json_drawn) >= JSON_DRAWN_MAX:
            _json_drawn.clear()
        _json_drawn[(text, encoder)] = drawn
    return drawn


# The theme draws a boolean's icon through its template each time: one drawing per value and
# language.
_icons: dict[tuple[bool | None, str | None], SafeString] = {}


def _boolean_icon(value: bool | None) -> SafeString:
    key = (value, get_language())
    icon = _icons.get(key)
    if icon is None:
        icon = _icons[key] = conditional_escape(boolean_icon(value))
    return icon


def _line(
    name: str, label: str, value: str, help_text: Any, *, hidden: bool, errors: str, last: bool
) -> str:
    help_html = (
        format_html('<div class="leading-relaxed mt-2 text-xs">{}</div>', mark_safe(str(help_text)))
        if help_text
        else ""
    )
    return format_html(
        LINE_HTML,
        " last" if last else "",
        " hidden" if hidden else "",
        name,
        " errors" if errors else "",
        label,
        value,
        help_html,
        format_html('<div class="mt-2 text-red-600 text-xs dark:text-red-500">{}</div>', errors)
        if errors
        else "",
    )


# Widgets whose template puts the formatted value in one place, escaped, and draws nothing else
# that varies from case to case: drawn once for each name, attributes and language, with a
# stand-in for the value (as console_button does for a button's label).
STAND_IN_WIDGETS = (forms.TextInput, forms.EmailInput, forms.HiddenInput, forms.Textarea)
VALUE_MARK = "REDRESSWIDGETVALUE"  # only letters: no escaping changes it
_widgets: dict[tuple, str] = {}


def widget_html(bound: Any) -> SafeString:
    """Return str(bound): the bound field's widget, drawn once per shape where that is safe."""
    widget = bound.field.widget
    if bound.field.show_hidden_initial or bound.field.localize:
        return format_html("{}", bound)
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    value = bound.value()
    if isinstance(widget, STAND_IN_WIDGETS) and not isinstance(widget, DateTimeBaseInput):
        shown = widget.format_value(value)
        key = _widget_key(widget, bound.html_name, attrs, shown is not None)
        markup = _widgets.get(key)
        if markup is None:
            markup = _widgets[key] = widget.render(
                bound.html_name,
                VALUE_MARK if shown is not None else None,
                attrs,
                bound.form.renderer,
            )
        if shown is None:
            return mark_safe(markup)
        return mark_safe(markup.replace(VALUE_MARK, conditional_escape(shown), 1))
    if isinstance(widget, forms.Select) and not isinstance(
        bound.field, ModelChoiceField | forms.MultipleChoiceField
    ):
        # The choices are few and fixed: one drawing per choice shown as selected.
        choices = tuple((str(key), str(label)) for key, label in widget.choices)
        if value is None or str(value) in {key for key, _label in choices}:
            key = (*_widget_key(widget, bound.html_name, attrs, str(value)), choices)
            markup = _widgets.get(key)
            if markup is None:
                markup = _widgets[key] = widget.render(
                    bound.html_name, value, attrs, bound.form.renderer
                )
            return mark_safe(markup)
    return format_html("{}", bound)


def _widget_key(widget: Any, name: str, attrs: dict, shown: Any) -> tuple:
    return (
        type(widget),
        widget.template_name,
        name,
        repr(sorted(widget.attrs.items())),
        repr(sorted(attrs.items())),
        widget.is_required,
        shown,
        get_language(),
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
