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
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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
        field.label_tag(),
        value,
        help_html,
        format_html('<div class="mt-2 text-red-600 text-xs dark:text-red-500">{}</div>', errors)
        if errors
        else "",
    )
