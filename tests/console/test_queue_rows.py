"""The queue draws its rows itself (complaints/templatetags/console_list.py) in the theme's
markup."""

import pytest
from django.template.loader import get_template
from django.utils import translation
from unfold.templatetags import unfold_list

from complaints.templatetags import console_list
from complaints.templatetags.console_list import _cells
from tests.console.pages import CHANGELIST
from tests.factories import CategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def theme_rows(cl):
    return [(row.instance, "".join(str(cell) for cell in row)) for row in unfold_list.results(cl)]


def console_rows(cl):
    headers = list(unfold_list.result_headers(cl))
    return [(obj, "".join(cells)) for obj, cells in _cells(cl, headers)]


@pytest.mark.parametrize("who", ["hana", "sam"])
@pytest.mark.parametrize("query", ["", "?state=open&o=-2", "?q=Rosa", "?handler=mine&o=4.1"])
def test_it_draws_each_row_as_the_theme_would(client, policy, who, query, request):
    user = request.getfixturevalue(who)
    parent = CategoryFactory(name="Billing & fees", policy=policy)
    category = CategoryFactory(name="<Refunds>", parent=parent, policy=policy)
    for number in range(12):
        ComplaintFactory(
            policy=policy,
            category=category if number % 3 else None,
            handler=user if number % 2 else None,
            complainant_name=f"Rosa <b>O'Hara</b> {number}",
        )
    client.force_login(user)
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.result_list
    assert console_rows(cl) == theme_rows(cl)


def test_it_shows_the_rows_on_the_page(client, policy, sam):
    ComplaintFactory(policy=policy, complainant_name="Rosa <b>Rivera</b>")
    client.force_login(sam)
    page = client.get(CHANGELIST).content.decode()
    assert "Rosa &lt;b&gt;Rivera&lt;/b&gt;" in page
    assert 'name="_selected_action"' in page
    # Spliced into the rendered page where the template left their place (rows_splice).
    assert console_list.ROWS_MARK not in page
    assert (
        page.index('id="result_list"') < page.index("Rosa &lt;b&gt;Rivera") < page.index("</table>")
    )


def theme_and_console_filters(response):
    cl = response.context["cl"]
    drawn = [spec for spec in cl.filter_specs if spec.template == console_list.FILTER_TEMPLATE]
    for spec in drawn:
        context = {"title": spec.title, "choices": list(spec.choices(cl)), "spec": spec}
        theme = get_template(console_list.THEME_FILTER_TEMPLATE).render(context)
        console = get_template(console_list.FILTER_TEMPLATE).render(context)
        yield spec, theme, console


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "query",
    ["", "?state=open", "?channel__exact=phone&handler=mine", "?category__id__exact=1&q=Rosa"],
)
def test_it_draws_each_filter_as_the_theme_would(client, policy, sam, query, language):
    parent = CategoryFactory(name="Billing & fees", policy=policy)
    CategoryFactory(name="<Refunds>", parent=parent, policy=policy)
    ComplaintFactory(policy=policy, complainant_name="Rosa")
    client.force_login(sam)
    response = client.get(CHANGELIST + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    with translation.override(language):
        compared = list(theme_and_console_filters(response))
    # Every filter but the received dates (a form of its own) is drawn by console_filter.
    assert len(compared) == len(response.context["cl"].filter_specs) - 1
    for spec, theme, console in compared:
        assert console == theme, spec.title
    if language == "de":
        assert " Nach " in compared[0][1]
    if "channel" in query:
        assert '<input type="hidden" name="channel__exact" value="phone" />' in response.text


def test_it_opens_as_the_pop_up_that_picks_a_case(client, policy, sam):
    case = ComplaintFactory(policy=policy, complainant_name="Rosa Diaz")
    client.force_login(sam)
    response = client.get(f"{CHANGELIST}?_popup=1&_to_field=id")
    assert response.status_code == 200
    assert f'data-popup-opener="{case.pk}"' in response.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("query", ["", "?o=2.-4", "?state=open&o=-6", "?o=7.2"])
def test_it_draws_the_headers_as_the_theme_would_each_time(client, policy, sam, query, language):
    ComplaintFactory(policy=policy, complainant_name="Rosa")
    client.force_login(sam)
    # The second page reuses the first's drawing of its headers.
    for _time in range(2):
        response = client.get(CHANGELIST + query, HTTP_ACCEPT_LANGUAGE=language)
        cl = response.context["cl"]
        with translation.override(language):
            headers = list(unfold_list.result_headers(cl))
            sorted_fields = sum(1 for header in headers if header["sortable"] and header["sorted"])
            theme = get_template(console_list.HEADERS_TEMPLATE).render(
                {"cl": cl, "result_headers": headers, "num_sorted_fields": sorted_fields}
            )
        assert theme in response.text
    if language == "de":
        assert "Sortierung" in theme or not query
