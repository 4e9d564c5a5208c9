"""Charts drawn on the server as inline SVG: no script, no library, nothing from a CDN."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from reports.dashboard import Chart

ROW_HEIGHT = 22
LABEL_WIDTH = 190
BAR_WIDTH = 260
VALUE_WIDTH = 70
# The widest a character of the 12px label font runs, for sizing the label column.
CHARACTER_WIDTH = 7


BAR = (
    '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
    '<rect x="{}" y="4" width="{}" height="14" rx="2"></rect>'
    '<text x="{}" y="15">{}</text></g>'
)


def bar_chart(chart: Chart) -> SafeString:
    """Return a horizontal bar chart of `chart`'s rows, labels escaped, with a text alternative."""
    height = max(len(chart.rows), 1) * ROW_HEIGHT
    # Wide enough for the longest label, so none is cut off at the left edge.
    longest = max((len(str(label)) for label, _value in chart.rows), default=0)
    label_width = max(LABEL_WIDTH, longest * CHARACTER_WIDTH + 16)
    width = label_width + BAR_WIDTH + VALUE_WIDTH
    top = 100.0 if chart.unit == "%" else max((value for _label, value in chart.rows), default=0)
    # Each row drawn with str.format, only the label escaped (the rest are numbers drawn here):
    # format_html escaped seven values a row, most of the charts' cost.
    draw = _formatter(chart.unit)
    bars = mark_safe(  # noqa: S308
        "".join(
            BAR.format(
                index * ROW_HEIGHT,
                label_width - 8,
                conditional_escape(label),
                label_width,
                round(BAR_WIDTH * value / top, 1) if top else 0,
                label_width + BAR_WIDTH + 6,
                conditional_escape(draw(value)),
            )
            for index, (label, value) in enumerate(chart.rows)
        )
    )
    if not chart.rows:
        bars = format_html('<text x="8" y="15">{}</text>', "—")
    return format_html(
        '<svg class="report-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        chart.title,
        width,
        height,
        width,
        height,
        chart.title,
        bars,
    )


def _formatter(unit: str) -> Callable[[float], str]:
    """Return what number_format would draw of a value, followed by `unit`: whole numbers
    grouped, others to one place. The language's formats are read once a chart, not a value."""
    language = get_language()
    decimal, grouping, thousands = (
        get_format(name, language, use_l10n=True)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def draw(value: float) -> str:
        if isinstance(value, float):
            shown = numberformat.format(
                round(value, 1), decimal, 1, grouping, thousands, use_l10n=True
            )
        else:
            shown = numberformat.format(
                value, decimal, None, grouping, thousands, force_grouping=True, use_l10n=True
            )
        return f"{shown}{unit}"

    return draw
