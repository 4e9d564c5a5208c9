"""The console's list rows: the theme's markup, with each page's per-column work done once.

The theme's `items_for_result` recomputes every column header (three query strings each),
resolves the change URL, renders the selection checkbox through the template engine and looks
each column up by name (an exception per callable column) for every cell of every row: 80% of
the queue's server time at 100 rows (bench/profile_pages.py). Here the headers, the change URL
with its preserved filters, the checkbox and each column's getter are made once per page; each
row then only reads its values and fills in the same markup. Lists that edit rows in place, sort
by dragging, have row sections or open in a pop-up keep the theme's own code.

A view may have the rows spliced into its rendered page (rows_splice) rather than carried up
through the templates; the list filters the theme draws as links are drawn here too
(console_filter). Both write the theme's markup byte for byte (tests/console/test_queue_rows.py).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterator
from typing import Any, cast

from django import VERSION as DJANGO_VERSION
from django import template
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import result_hidden_fields
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import FieldIsAForeignKeyColumnName, lookup_field, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from unfold import admin as unfold_admin
from unfold.templatetags import unfold_list
from unfold.utils import (
    display_for_dropdown,
    display_for_field,
    display_for_header,
    display_for_label,
    display_for_value,
)

from complaints.templatetags.console_sidebar import _plain

register = template.Library()

# A stand-in for the primary key in the markup made once per page: only letters, so that no
# URL quoting or HTML escaping changes it.
PK_MARK = "REDRESSROWPK"


def _cell_classes(field_name: str, index: int, extra: list[str]) -> str:
    return " ".join(
        [f"field-{unfold_list._coerce_field_name(field_name, index)}", *unfold_list.ROW_CLASSES]
        + extra
    )


def _model_field(cl: ChangeList, name: Any) -> Any:
    """Return the model field `name` shows, as lookup_field finds it (its _get_non_gfk_field)."""
    if callable(name):
        raise FieldDoesNotExist
    field = cl.lookup_opts.get_field(name)
    # Generic foreign keys and reverse relations are shown as attributes, not fields.
    if field.is_relation and ((field.many_to_one and not field.related_model) or field.one_to_many):
        raise FieldDoesNotExist
    # A foreign key's column (<fk>_id) is shown as it is, not as the related object.
    if field.is_relation and not field.many_to_many and getattr(field, "attname", None) == name:
        raise FieldIsAForeignKeyColumnName
    return field


class _Column:
    """One column of the list: how to read a row's value and how to show it (lookup_field's
    rules, decided once per page rather than once per cell)."""

    def __init__(self, cl: ChangeList, index: int, name: Any, label: str) -> None:
        admin_ = cl.model_admin
        # The header's text is lazy: translate and escape it once, not once per cell.
        self.name, self.index, self.label = name, index, conditional_escape(str(label))
        self.default_empty = self.empty = admin_.get_empty_value_display()
        self.admin = admin_
        self.field: Any = None
        self.attr: Any = None
        self.choices: dict = {}
        try:
            self.field = _model_field(cl, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.attr = self.read = name
            elif hasattr(admin_, name) and name != "__str__":
                self.attr = self.read = getattr(admin_, name)
            else:
                # A model's method, property or a__b lookup: lookup_field itself, per row.
                self.read = self._model_attribute
            self.empty = getattr(self.attr, "empty_value_display", self.empty)
        else:
            self.read = self._field_value
            try:  # display_for_field's choices, their labels translated once per page
                self.choices = {
                    key: str(text) for key, text in getattr(self.field, "flatchoices", None) or ()
                }
            except TypeError:
                self.choices = {}
        nowrap = (
            not self.field.auto_created
            and isinstance(self.field, models.DateField | models.TimeField | models.ForeignKey)
            if self.field is not None
            else False
        )
        self.classes = _cell_classes(name, index, ["nowrap"] if nowrap else [])
        self.nowrap_classes = _cell_classes(name, index, ["nowrap"])
        # lookup_field's attribute is the row's own only for a model's method or property.
        self.per_row = self.read == self._model_attribute
        self.display = _display(self.attr)

    def _field_value(self, obj):
        return getattr(obj, self.name)

    def _model_attribute(self, obj):
        _field, attr, value = lookup_field(self.name, obj, self.admin)
        return attr, value

    def shown(self, obj) -> tuple[Any, str]:
        """Return the cell's content and classes for the row `obj`."""
        try:
            value = self.read(obj)
        except ObjectDoesNotExist:
            return self.default_empty, self.classes
        field = self.field
        if field is None or field.auto_created:
            if self.per_row:
                attr, value = value
                empty = getattr(attr, "empty_value_display", self.empty)
                label, dropdown, header, boolean = _display(attr)
            else:
                empty = self.empty
                label, dropdown, header, boolean = self.display
            if label:
                shown = display_for_label(value, empty, label)
            elif dropdown:
                shown = display_for_dropdown(obj, self.name, value, empty)
            elif header:
                shown = display_for_header(value, empty)
            else:
                shown = display_for_value(value, empty, boolean)
            if isinstance(value, datetime.date | datetime.time):
                return shown, self.nowrap_classes
            return shown, self.classes
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(obj, field.name)
            return (self.empty if related is None else related), self.classes
        if self.choices:
            try:
                return self.choices.get(value, self.empty), self.classes
            except TypeError:
                pass
        return display_for_field(value, field, self.empty), self.classes


def _display(attr: Any) -> tuple[Any, Any, Any, Any]:
    """Return how the theme shows a column's values: its label, dropdown, header and boolean
    options (all false for a plain value)."""
    return (
        getattr(attr, "label", False),
        getattr(attr, "dropdown", False),
        getattr(attr, "header", False),
        getattr(attr, "boolean", False),
    )


def _html(value: Any) -> str:
    """Return conditional_escape(value) as a str (without its check for lazy arguments)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _cells(cl: ChangeList, headers: list[dict]) -> Iterator[tuple[Any, list[str]]]:
    """Yield each row's object and the HTML of its cells, as the theme's items_for_result."""
    admin_ = cl.model_admin
    columns = [
        _Column(cl, index, name, headers[index]["text"])
        for index, name in enumerate(cl.list_display)
    ]
    # As the theme's link_in_col: the first linked cell is a <th>, any further one a <td>.
    tags: list[str | None] = []
    first = True
    for column in columns:
        links = cl.list_display_links
        if links is not None and ((first and not links) or column.name in links):
            tags.append("th" if first else "td")
            first = False
        else:
            tags.append(None)
    url: str | None
    try:
        marked = cl.url_for_result(cast(Any, _Marked()))
    except NoReverseMatch:
        url = None
    else:
        url = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, marked
        )
    link_classes = _html(" ".join(unfold_list.LINK_CLASSES))
    # The theme's checkbox column, drawn once: the same widget, the row's key filled in.
    own_checkbox = type(admin_).action_checkbox is unfold_admin.ModelAdmin.action_checkbox
    checkbox = str(unfold_admin.checkbox.render(ACTION_CHECKBOX_NAME, PK_MARK))
    checkbox_classes = " ".join(unfold_list.CHECKBOX_CLASSES)
    select_label = conditional_escape(_("Select record"))
    for obj in cl.result_list:
        pk = html.escape(str(obj.pk))
        cells: list[str] = []
        for column, tag in zip(columns, tags, strict=True):
            if own_checkbox and column.name == "action_checkbox" and tag is None:
                shown: Any = mark_safe(checkbox.replace(PK_MARK, pk))
                classes = checkbox_classes
            else:
                shown, classes = column.shown(obj)
            if tag is not None:
                shown = _html(shown)
                if url is not None:
                    href = url.replace(PK_MARK, html.escape(quote(str(obj.pk))))
                    shown = f'<a href="{href}" class="{link_classes}" >{shown}</a>'
                cells.append(
                    f'<{tag} class="{classes}" data-label="{column.label}">{shown}</{tag}>'
                )
            else:
                label = select_label if column.index == 0 else column.label
                cells.append(f'<td class="{classes}" data-label="{label}">{_html(shown)}</td>')
        yield obj, cells


class _Marked:
    """A stand-in row whose primary key is PK_MARK, to build the change URL once per page."""

    def __getattr__(self, name: str) -> str:
        return PK_MARK


ROW_START = (
    '<tbody class="block relative lg:table-row-group {}" x-data="{{rowOpen: false}}" >'
    '<tr class="data-row block border border-base-200 mb-3 relative rounded-default '
    'lg:table-row lg:border-none lg:mb-0 lg:rounded-none dark:border-base-800">'
)
ROW_END = "</tr></tbody>"
# The theme's rows alternate with {% cycle '' '…' %}.
STRIPES = (ROW_START.format(""), ROW_START.format("bg-base-50 dark:bg-white/[.02]"))


def _fast(context, cl: ChangeList) -> bool:
    admin_ = cl.model_admin
    return not (
        getattr(cl, "formset", None)
        or cl.is_popup
        or getattr(admin_, "ordering_field", None)
        or getattr(admin_, "list_sections", None)
        or context.get("actions_row")
    )


# Where the rows go when the view splices them into the finished page (rows_splice).
ROWS_MARK = "<!-- console rows -->"
ROWS_ATTR = "console_rows"


def rows_splice(response: TemplateResponse, request: HttpRequest) -> TemplateResponse:
    """Have the list's rows put into the page once it is rendered, rather than through the
    templates.

    The rows of a page of 100 are half a megabyte of the theme's markup; each template that
    encloses them (a dozen, from the result list up through the theme's base layouts) joins its
    parts into a new string, copying them each time: 5-6 ms of the queue's CPU at 100 rows.
    Spliced into the page's bytes they are copied once.
    """
    rows: list[str] = []  # filled by result_list
    setattr(request, ROWS_ATTR, rows)

    def splice(rendered: TemplateResponse) -> None:
        if rows:
            rendered.content = rendered.content.replace(
                ROWS_MARK.encode(), rows[0].encode(rendered.charset), 1
            )

    response.add_post_render_callback(splice)
    return response


def result_list(context: dict[str, Any], cl: ChangeList) -> dict[str, Any]:
    """Return the context of the result list template, as the theme's own tag does, with
    `rows`: the rows' HTML (None where the theme's template draws them), or its place in the
    page where the view splices them in (rows_splice)."""
    if not _fast(context, cl):
        return {**unfold_list.result_list(context, cl), "rows": None}
    headers = list(unfold_list.result_headers(cl))
    rows = [
        STRIPES[number % 2] + "".join(cells) + ROW_END
        for number, (_obj, cells) in enumerate(_cells(cl, headers))
    ]
    request = context["request"]
    shown = "".join(rows)
    spliced = getattr(request, ROWS_ATTR, None)
    if spliced is not None and not spliced:
        spliced.append(shown)
        shown = ROWS_MARK
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
        "rows": mark_safe(shown),
        "actions_row": None,
        "has_add_permission": cl.model_admin.has_add_permission(request),
    }


# The list's column headers: the theme's template, drawn once for each way they can look.

HEADERS_TEMPLATE = "unfold/helpers/change_list_headers.html"
# Past this many drawings (each sorting and filtering of the list has its own links), start again.
HEADERS_MAX = 512
_headers_drawn: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def console_headers(context) -> SafeString:
    """Return the theme's change_list_headers.html for the list in `context`.

    The template is some 1.2 ms of the queue's CPU (its loops and tags for eight headers), and
    the same headers come out the same: it is drawn from what it reads alone (the headers, their
    links and sorting, the language) and the drawing is reused where all of that is equal.
    """
    cl = context["cl"]
    headers = context["result_headers"]
    shown = {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": context["num_sorted_fields"],
    }
    admin_ = cl.model_admin
    key = (
        get_language(),
        bool(getattr(admin_, "ordering_field", None)),
        len(getattr(admin_, "list_sections", None) or ()),
        shown["num_sorted_fields"],
        _plain(headers),
    )
    try:
        drawn = _headers_drawn.get(key)
    except TypeError:  # something in a header that cannot key a drawing
        return mark_safe(get_template(HEADERS_TEMPLATE).render(shown))
    if drawn is None:
        if len(_headers_drawn) >= HEADERS_MAX:
            _headers_drawn.clear()
        drawn = _headers_drawn[key] = mark_safe(get_template(HEADERS_TEMPLATE).render(shown))
    return drawn


# The list filters: the theme's admin/filter.html, drawn in Python.

THEME_FILTER_TEMPLATE = "admin/filter.html"
FILTER_TEMPLATE = "admin/complaints/complaint/list_filter.html"
FILTER_ITEM = (
    "\n                <li"
    ' class="border-b border-base-200 last:border-b-0 dark:border-base-700 {}">'
    '\n                    <a href="{}" title="{}" class="block px-3 py-2 hover:text-primary-600'
    ' dark:hover:text-primary-500">\n                        {}\n                    </a>'
    "\n                </li>\n            "
)
SELECTED = (
    "hover:text-base-700 dark:hover:text-base-200",
    "font-semibold text-primary-600 dark:text-primary-500 ",
)
LOOKUP_VALUE = template.Variable("spec.lookup_val.0")
LOOKUP_KWARG = template.Variable("spec.lookup_kwarg")


def filter_drawn(spec) -> bool:
    """Return whether console_filter draws `spec` (the theme's vertical list of links)."""
    return (
        spec.template == THEME_FILTER_TEMPLATE
        and type(spec).__name__ != "BooleanFieldListFilter"
        and not getattr(spec, "horizontal", False)
    )


def _resolved(variable: template.Variable, context) -> Any:
    try:
        return variable.resolve(context)
    except template.VariableDoesNotExist:
        return ""


@register.simple_tag(takes_context=True)
def console_filter(context, spec, choices, title) -> str:
    """Return the theme's admin/filter.html for `spec`, byte for byte.

    The template costs some 0.3 ms per filter (its tags run for each of the choices), 4 ms of
    the queue's 14 filters and their hundred choices.
    """
    parts = [
        '\n\n<div>\n    <h3 class="font-semibold mb-2 text-font-important-light'
        ' dark:text-font-important-dark">\n        ',
        _(" By %(filter_title)s ") % {"filter_title": render_value_in_context(title, context)},
        "\n    </h3>\n\n    ",
    ]
    for choice in choices:
        parts.append("\n        ")
        if choice["selected"] and _resolved(LOOKUP_VALUE, context):
            name = render_value_in_context(_resolved(LOOKUP_KWARG, context), context)
            value = render_value_in_context(_resolved(LOOKUP_VALUE, context), context)
            parts.append(
                f'\n            <input type="hidden" name="{name}" value="{value}" />\n        '
            )
        parts.append("\n    ")
    parts.append(
        "\n\n    \n        "
        '<ul class="border border-base-200 flex flex-col rounded-default shadow-xs'
        ' dark:border-base-700">\n            '
    )
    for choice in choices:
        display = render_value_in_context(choice["display"], context)
        parts.append(
            FILTER_ITEM.format(
                SELECTED[bool(choice["selected"])],
                escape(iri_to_uri(choice["query_string"])),
                display,
                display,
            )
        )
    parts.append("\n        </ul>\n    \n</div>\n")
    return mark_safe("".join(parts))


@register.tag(name="console_result_list")
def result_list_tag(parser, token) -> InclusionAdminNode:
    if DJANGO_VERSION >= (6, 1):
        return InclusionAdminNode(
            "console_result_list",
            parser,
            token,
            func=result_list,
            template_name="change_list_results.html",
        )
    # Django before 6.1 takes no name (django-stubs describe 6.1's signature).
    return InclusionAdminNode(  # type: ignore[call-arg]
        parser, token, func=result_list, template_name="change_list_results.html"
    )
