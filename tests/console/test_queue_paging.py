"""The queue's count stops at a cap: past it the page says "more than", not a number it made up."""

from pathlib import Path

import pytest
import unfold
from django.conf import settings
from django.utils import translation

from complaints.admin import paging
from complaints.admin.cases import ComplaintAdmin
from tests.console.pages import CHANGELIST
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    """A cap of 4 and pages of 2: the cap is hit by five cases rather than two thousand."""
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(ComplaintAdmin, "list_per_page", 2)


def count_line(content: str) -> str:
    return " ".join(content.rsplit('<div class="py-4">', 1)[1].split("</div>", 1)[0].split())


def header_count(content: str) -> str:
    header = content.split("<h1", 1)[1].split("</h1>", 1)[0]
    return " ".join(
        header.split('<span class="font-medium ml-2 text-subtle">', 1)[1].split("(<a")[0].split()
    )


def page_links(content: str) -> list[str]:
    bar = content.rsplit('<div class="py-4">', 1)[0].rsplit("lg:h-[64px]", 1)[1]
    return [
        " ".join(link.split("</", 1)[0].rsplit(">", 1)[1].split())
        for link in bar.split('<div class="pr-')[1:]
    ]


@pytest.mark.parametrize(
    ("language", "shown", "header"),
    [
        ("en", "- more than 4 complaints", "more than 4 results"),
        ("de", "- mehr als 4 Beschwerden", "mehr als 4 Ergebnisse"),
    ],
)
def test_it_says_more_than_the_cap_when_the_count_stops_there(
    client, policy, sam, small_pages, language, shown, header
):
    for _number in range(5):
        ComplaintFactory(policy=policy)
    client.force_login(sam)
    response = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE=language)
    assert count_line(response.text) == shown
    assert header_count(response.text) == header
    # The last page it counted to is not the last there is.
    assert page_links(response.text) == ["1", "2", "…"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_gives_the_count_where_it_reaches_the_cap_exactly(
    client, policy, sam, small_pages, language
):
    for _number in range(4):
        ComplaintFactory(policy=policy)
    client.force_login(sam)
    response = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE=language)
    plural = {"en": "complaints", "de": "Beschwerden"}[language]
    assert count_line(response.text) == f"- 4 {plural}"
    assert header_count(response.text) == {"en": "4 results", "de": "4 Ergebnisse"}[language]
    assert page_links(response.text) == ["1", "2"]


@pytest.mark.parametrize(("language", "cap"), [("en", "2,000"), ("de", "2.000")])
def test_it_writes_the_cap_as_the_language_writes_numbers(language, cap):
    with translation.override(language):
        assert paging.CappedPaginator([], 100).cap == cap


def test_its_page_header_is_the_themes_but_for_the_capped_count():
    """The override of the theme's header changes only the count's words: a new version of the
    theme that changes the header fails here rather than going unnoticed."""
    name = "unfold/helpers/welcomemsg.html"
    theme = (Path(unfold.__file__).parent / "templates" / name).read_text()
    own = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    capped = own.split("{% if cl.paginator.capped %}", 1)[1].split("{% else %}", 1)[0]
    undone = own.replace(f"{{% if cl.paginator.capped %}}{capped}{{% else %}}", "", 1)
    undone = undone.replace("{% endblocktranslate %}{% endif %}", "{% endblocktranslate %}", 1)
    assert undone.split("\n", 1)[1] == theme.split("\n", 1)[1]
