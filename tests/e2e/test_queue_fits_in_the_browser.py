"""The queue at 1280 and 1440 px, in English and German, with and without a regulator's clock:
every column a handler works from is on screen and nothing scrolls sideways (issue #16)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from complaints import services
from complaints.actors import Actor
from complaints.presets import preset_by_slug, preset_load
from tests.cases import case_in
from tests.e2e.test_console_in_the_browser import PASSWORD, SCREENSHOTS
from tests.factories import CategoryFactory, HandlerFactory
from tests.regulatory import regulatory_promises_make
from tests.staff import authenticator, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The queue's columns, in the order they stand: each header's text per language.
HEADERS = {
    "en-GB": ["Reference", "Name", "Category", "State", "Handler", "Next deadline", "Age"],
    "de-DE": [
        "Referenznummer",
        "Name",
        "Kategorie",
        "Status",
        "Bearbeiter",
        "Nächste Frist",
        "Alter",
    ],
}


def queue_measure(page) -> dict:
    """Return how wide the page and the table's scroll container are against what they show,
    and where each column header stands."""
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            const box = table.parentElement;
            return {
                page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                box: [box.scrollWidth, box.clientWidth],
                headers: [...table.querySelectorAll('thead th')].map(th => {
                    const r = th.getBoundingClientRect();
                    return {text: th.innerText.trim(), left: r.left, right: r.right,
                            width: r.width, visible: th.checkVisibility()};
                }),
            };
        }"""
    )


def queue_open(live_server, chromium, locale: str):
    """Return a browser page signed in as the handler, in `locale`, on the open cases."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "hana")
    page.fill("#id_password", PASSWORD)
    user = get_user_model().objects.get(username="hana")
    page.fill("#id_otp_token", current_code(authenticator(user)))
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").first.click()
    page.goto(f"{live_server.url}/admin/complaints/complaint/?state=open")
    return context, page


def assert_queue_fits(page, width: int, locale: str) -> None:
    shown = queue_measure(page)
    assert shown["page"][0] <= shown["page"][1] <= width, shown["page"]
    assert shown["box"][0] <= shown["box"][1], shown["box"]
    texts = [header["text"].upper() for header in shown["headers"]]
    for name in HEADERS[locale]:
        assert any(name.upper() in text for text in texts), (name, texts)
    for header in shown["headers"]:
        assert header["visible"] and header["width"] > 0, header
        assert header["left"] >= 0 and header["right"] <= width, header


def queue_fill(handler, category) -> dict:
    """Open cases of every kind the deadline column shows, for `handler`."""
    cases = {}
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=70)
    with time_machine.travel(long_ago, tick=False):
        cases["late"] = case_in(
            "investigating",
            handler=handler,
            category=category,
            complainant_name="Maximiliane Hartmann-Schönberger",
        )
    cases["new"] = case_in(
        "acknowledged", handler=handler, category=category, complainant_name="Rosa Diaz"
    )
    services.complaint_record_customer_reply(complaint=cases["new"], body="Any news?")
    cases["waiting"] = case_in(
        "investigating", handler=handler, category=category, complainant_name="Una Lee"
    )
    services.complaint_request_information(
        complaint=cases["waiting"], actor=Actor.staff(handler), body="Which card?"
    )
    for name in ("Otto Brandt", "Anna Acknowledged", "Ivan Investigating"):
        case_in("received", handler=handler, category=category, complainant_name=name)
    return cases


@pytest.fixture
def handler_with_regulatory_cases(db):
    policy, _written = preset_load(preset_by_slug("e"))
    policy.pause_while_awaiting_complainant = True
    policy.save()
    group = CategoryFactory(name="Payments & e-money", name_de="Zahlungen & E-Geld", policy=policy)
    category = CategoryFactory(
        name="Card payment disputes", name_de="Kartenzahlungsstreitigkeiten", parent=group
    )
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hartmann-Schönberger")
    cases = queue_fill(hana, category)
    for case in cases.values():
        regulatory_promises_make(case)
    return cases


@pytest.fixture
def handler_without_regulatory_cases(policy):
    group = CategoryFactory(name="Billing", name_de="Abrechnung", policy=policy)
    category = CategoryFactory(name="Incorrect charge", name_de="Falsche Abbuchung", parent=group)
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hartmann-Schönberger")
    return queue_fill(hana, category)


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_the_queue_of_cases_on_a_regulators_clock_fits_at_1280_and_1440(
    live_server, chromium, handler_with_regulatory_cases, locale
):
    late = handler_with_regulatory_cases["late"]
    context, page = queue_open(live_server, chromium, locale)
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(screenshot_path(f"queue-regulatory-{width}-{locale}")))
        assert_queue_fits(page, width, locale)
        # The regulator's deadline is past: the column shows it, named, not the internal one.
        row = page.locator("#result_list tbody tr", has_text=late.display_reference)
        deadline = row.locator("td.field-deadline_column")
        assert deadline.locator(".deadline-overdue").count() == 1
        assert deadline.locator(".deadline-regulator").inner_text().strip() == "FCA"
    context.close()


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_the_queue_without_a_regulators_clock_fits_at_1280_and_1440(
    live_server, chromium, handler_without_regulatory_cases, locale
):
    context, page = queue_open(live_server, chromium, locale)
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(screenshot_path(f"queue-internal-{width}-{locale}")))
        assert_queue_fits(page, width, locale)
        assert page.locator("#result_list .deadline-regulator").count() == 0
    context.close()


def screenshot_path(name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
