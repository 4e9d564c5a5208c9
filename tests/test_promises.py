"""The published policy page words the promises for complainants, in the order they happen."""

import pytest

from complaints.choices import TargetKind
from complaints.clock import Unit
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_promises_in_plain_words_in_order(client):
    PolicyFactory(
        is_default=True,
        targets={
            TargetKind.RESOLVE: (10, 15, Unit.BUSINESS_DAYS),
            TargetKind.ACKNOWLEDGE: (None, 1, Unit.HOURS),
            TargetKind.SUMMARY_RESOLUTION: (None, 3, Unit.BUSINESS_DAYS),
        },
    )
    page = client.get("/policy/").content.decode()
    acknowledge = page.index("We acknowledge your complaint within 1 hour.")
    resolve = page.index("We send you a full written response within 10 to 15 business days.")
    assert acknowledge < resolve
    assert "Summary resolution" not in page  # an internal, regulatory target


def test_the_home_page_gives_the_first_promises_in_german(client):
    PolicyFactory(is_default=True, targets={TargetKind.ACKNOWLEDGE: (None, 2, Unit.BUSINESS_DAYS)})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "2 Geschäftstagen" in page
