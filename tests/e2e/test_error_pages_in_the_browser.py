"""The error pages in a real browser: the site's look, German when asked, and axe-clean."""

import pytest
from django.urls import reverse

from complaints import services
from complaints.actors import Actor
from tests.e2e.conftest import assert_accessible
from tests.factories import HandlerFactory
from tests.publicsite import submit_web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_404_and_410_pages_are_accessible_in_german(live_server, page, policy):
    page.goto(live_server.url + "/nowhere/")
    assert page.locator("h1").inner_text() == "Seite nicht gefunden"
    assert_accessible(page)

    complaint = submit_web()
    old = complaint.tracking_token
    services.complaint_rotate_token(
        complaint=complaint, actor=Actor.staff(HandlerFactory(username="hana"))
    )
    response = page.goto(live_server.url + reverse("track-case", args=[old]))
    assert response.status == 410
    assert page.locator("h1").inner_text() == "Dieser Link wurde ersetzt"
    assert_accessible(page)
    page.get_by_role("link", name="Neuen Link anfordern").click()
    assert page.url.endswith(reverse("track-lookup"))
