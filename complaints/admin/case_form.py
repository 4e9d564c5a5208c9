"""The case page's fieldsets, drawn in Python with the markup of the admin's fieldset template.

admin/includes/fieldset.html resolves some twenty template variables per field; over the forty
fields of the case page that was a third of the page's time (bench/run.py). The labels, values,
widgets and errors still come from the admin's own helpers, so they read as anywhere in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.helpers import AdminForm
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


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
            '<fieldset class="module aligned {}"{}>',
            fieldset.classes,
            format_html(' aria-labelledby="{}"', heading) if fieldset.name else "",
        )
    ]
    if fieldset.name:
        title = format_html('<h2 id="{}" class="fieldset-heading">{}</h2>', heading, fieldset.name)
        parts.append(f"<details><summary>{title}</summary>" if collapsible else title)
    if fieldset.description:
        parts.append(
            format_html('<div class="description">{}</div>', mark_safe(fieldset.description))
        )
    for line in fieldset:
        (field,) = line
        parts.append(_line(line, field, has_errors))
    parts.append("</details></fieldset>" if collapsible else "</fieldset>")
    return "".join(parts)


def _line(line, field: Any, has_errors: bool) -> str:
    if field.is_readonly:
        about = field.field
        name, help_text, is_hidden = about["name"], about["help_text"], about["is_hidden"]
        id_for_label = None
        body = format_html('{}<div class="readonly">{}</div>', field.label_tag(), field.contents())
    else:
        bound = field.field
        name, help_text, is_hidden = bound.name, bound.help_text, bound.is_hidden
        id_for_label = bound.id_for_label
        label = field.label_tag()
        if field.is_checkbox:
            body = format_html("{}{}", bound, label)
        else:
            body = format_html("{}{}", label, bound)
    errors = line.errors() if has_errors else ""
    help_html = (
        format_html(
            '<div class="help{}"{}><div>{}</div></div>',
            " hidden" if is_hidden else "",
            format_html(' id="{}_helptext"', id_for_label) if id_for_label else "",
            mark_safe(str(help_text)),
        )
        if help_text
        else ""
    )
    return format_html(
        '<div class="form-row{}{} field-{}">{}<div><div class="flex-container{}">{}</div>{}</div>'
        "</div>",
        " errors" if errors else "",
        "" if line.has_visible_field else " hidden",
        name,
        errors,
        " checkbox-row" if field.is_checkbox else "",
        body,
        help_html,
    )
