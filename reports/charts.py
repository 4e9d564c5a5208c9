"""Charts drawn on the server as inline SVG: no script, no library, nothing from a CDN."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reports.dashboard import Chart

ROW_HEIGHT = 22
LABEL_WIDTH = 190
BAR_WIDTH = 260
VALUE_WIDTH = 70


def bar_chart(chart: Chart) -> SafeString:
    """Return a horizontal bar chart of `chart`'s rows, labels escaped, with a text alternative."""
    height = max(len(chart.rows), 1) * ROW_HEIGHT
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    top = 100.0 if chart.unit == "%" else max((value for _label, value in chart.rows), default=0)
    bars = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
        '<rect x="{}" y="4" width="{}" height="14" rx="2"></rect>'
        '<text x="{}" y="15">{}</text></g>',
        (
            (
                index * ROW_HEIGHT,
                LABEL_WIDTH - 8,
                label,
                LABEL_WIDTH,
                round(BAR_WIDTH * value / top, 1) if top else 0,
                LABEL_WIDTH + BAR_WIDTH + 6,
                _format(value, chart.unit),
            )
            for index, (label, value) in enumerate(chart.rows)
        ),
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


def _format(value: float, unit: str) -> str:
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number}{unit}"
