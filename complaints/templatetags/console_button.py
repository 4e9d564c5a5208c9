"""The theme's button, drawn once per kind of button and filled in for each.

`{% component "unfold/components/button.html" with ... %}` flattens the whole page's context
into a copy and renders the button's template through a RequestContext, running every context
processor again, for each button: the case page's nineteen buttons were a quarter of its
rendering time (bench/profile_pages.py). `{% button with submit=1 variant="default" %}Label
{% endbutton %}` takes the same options and gives the same markup: the theme's template renders
once per process for each combination of options, with stand-ins for the link and the label.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TEMPLATE = "unfold/components/button.html"
# Only letters: no escaping changes them.
HREF_MARK = "REDRESSBUTTONHREF"
CHILDREN_MARK = "REDRESSBUTTONCHILDREN"
# The options whose values are plain and few enough to key the drawn markup by (the submit
# row's form, name and class are the template's constants).
KEYED = {"href", "submit", "variant", "size", "form", "name", "class"}
_drawn: dict[tuple, str] = {}


def _markup(values: dict[str, Any]) -> str:
    key = tuple(
        sorted((name, bool(value) if name == "href" else value) for name, value in values.items())
    )
    markup = _drawn.get(key)
    if markup is None:
        stand_ins = {**values, "children": CHILDREN_MARK}
        if values.get("href"):
            stand_ins["href"] = HREF_MARK
        markup = _drawn[key] = get_template(TEMPLATE).render(stand_ins)
    return markup


class ButtonNode(template.Node):
    def __init__(self, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context: template.Context) -> SafeString:
        values = {name: option.resolve(context) for name, option in self.options.items()}
        with context.push(values):
            children = self.nodelist.render(context)
        if not set(values) <= KEYED:
            if children:
                values["children"] = children
            return mark_safe(get_template(TEMPLATE).render(values))
        markup = _markup(values)
        if values.get("href"):
            markup = markup.replace(HREF_MARK, conditional_escape(values["href"]))
        return mark_safe(markup.replace(CHILDREN_MARK, children))


@register.tag("button")
def do_button(parser: Parser, token: Token) -> ButtonNode:
    bits = token.split_contents()[1:]
    if bits and bits[0] == "with":
        bits = bits[1:]
    options = template.base.token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError(f"button: options are name=value, not {bits}")
    nodelist = parser.parse(("endbutton",))
    parser.delete_first_token()
    return ButtonNode(nodelist, options)


TAB_ACTION = "unfold/helpers/tab_action.html"
_tab_actions: dict[tuple[str, str], str] = {}


@register.simple_tag
def tab_action(title: str, link: str, icon: str) -> SafeString:
    """Return the theme's link among a page's object tools (its include of tab_action.html with
    a title, a link and an icon), drawn once per title and icon with a stand-in for the link.

    The template asks for a dozen variables of an action it is not given (each a failed lookup)
    and the classes of its item on every page: a twelfth of the case page's rendering.
    """
    key = (str(title), icon)
    markup = _tab_actions.get(key)
    if markup is None:
        markup = _tab_actions[key] = get_template(TAB_ACTION).render(
            {"title": title, "link": HREF_MARK, "icon": icon}
        )
    if not link:
        return mark_safe(get_template(TAB_ACTION).render({"title": title, "icon": icon}))
    return mark_safe(markup.replace(HREF_MARK, conditional_escape(link)))
