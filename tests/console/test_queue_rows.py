"""The queue draws its rows itself (complaints/templatetags/console_list.py) in the theme's
markup."""

import pytest
from unfold.templatetags import unfold_list

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
