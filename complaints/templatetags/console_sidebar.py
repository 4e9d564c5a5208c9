"""The sidebar's list of tasks, drawn once for each thing it shows.

The theme draws its sidebar (unfold/helpers/app_list.html: nineteen links, each with its badge
template) on every console page, though for one member of staff it changes only with the page
shown (the active link), the language and any badge's count: a twelfth of the case page's time
(bench/profile_pages.py). `{% sidebar_app_list %}` draws the theme's template from the
navigation alone, keyed by everything in it (titles in the current language, links, which are
allowed and active, badges' texts, each read afresh on every page), so a drawing is reused only
where it would come out the same.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "unfold/helpers/app_list.html"
# Past this many drawings (badges with ever-new counts), start again.
DRAWN_MAX = 512
_drawn: dict[tuple, SafeString] = {}


def _plain(value: Any) -> Any:
    """Return `value` as it keys a drawing: a lazy text (or link, or count) as its text now."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return tuple((name, _plain(item)) for name, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return value


@register.simple_tag(takes_context=True)
def sidebar_app_list(context: template.Context) -> SafeString:
    navigation = context.get("sidebar_navigation") or []
    if context.get("sidebar_show_all_applications"):
        # The full list of applications is drawn from the page's app_list: the theme's own way.
        return _drawn_by_theme(context)
    key = (get_language(), _plain(navigation))
    try:
        drawn = _drawn.get(key)
    except TypeError:  # something in the navigation that cannot key a drawing
        return _drawn_by_theme(context)
    if drawn is None:
        if len(_drawn) >= DRAWN_MAX:
            _drawn.clear()
        drawn = _drawn[key] = mark_safe(
            get_template(TEMPLATE).render(
                {"sidebar_navigation": navigation, "sidebar_show_all_applications": False}
            )
        )
    return drawn


def _drawn_by_theme(context: template.Context) -> SafeString:
    """Return the theme's include of the list, as its navigation.html does it."""
    theme = context.template.engine.get_template(TEMPLATE)  # type: ignore[union-attr]
    with context.push(app_list=context.get("available_apps")):
        return mark_safe(theme.render(context))
