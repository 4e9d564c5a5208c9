"""The queue's count stops at a cap: past it the page says "more than", not a number it made up."""

import pytest
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


def page_links(content: str) -> list[str]:
    bar = content.rsplit('<div class="py-4">', 1)[0].rsplit("lg:h-[64px]", 1)[1]
    return [
        " ".join(link.split("</", 1)[0].rsplit(">", 1)[1].split())
        for link in bar.split('<div class="pr-')[1:]
    ]


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "- more than 4 complaints"), ("de", "- mehr als 4 Beschwerden")],
)
def test_it_says_more_than_the_cap_when_the_count_stops_there(
    client, policy, sam, small_pages, language, shown
):
    for _number in range(5):
        ComplaintFactory(policy=policy)
    client.force_login(sam)
    response = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE=language)
    assert count_line(response.text) == shown
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
    assert page_links(response.text) == ["1", "2"]


@pytest.mark.parametrize(("language", "cap"), [("en", "2,000"), ("de", "2.000")])
def test_it_writes_the_cap_as_the_language_writes_numbers(language, cap):
    with translation.override(language):
        assert paging.CappedPaginator([], 100).cap == cap
