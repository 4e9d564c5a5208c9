"""The console in a real browser at 1280 px, under the real Content-Security-Policy: a handler's
day and a supervisor's, axe-core on every main page, and screenshots kept under var/."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from complaints.models import Complaint
from escalations.models import Escalation
from escalations.services import escalation_request
from tests.cases import case_in
from tests.conftest import require_service
from tests.e2e.conftest import AXE, SERIOUS
from tests.factories import CategoryFactory, HandlerFactory, SupervisorFactory
from tests.staff import authenticator, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTH = 1280
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def console(chromium):
    """A browser context at 1280 px that keeps the CSP and records what it refuses."""
    context = chromium.new_context(viewport={"width": WIDTH, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.refused = []
    page.on(
        "console",
        lambda message: (
            page.refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()


def sign_in(page, url, username):
    """Sign in as staff do: password and the authenticator app's current code."""
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    user = get_user_model().objects.get(username=username)
    page.fill("#id_otp_token", current_code(authenticator(user)))
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def sidebar(page, name: str) -> None:
    """Follow the sidebar's link to a task and wait for its page."""
    with page.expect_navigation():
        page.locator("#nav-sidebar-apps a", has_text=name).first.click()


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def assert_accessible(page) -> None:
    """Run axe-core (evaluated, as the CSP allows no injected script); no serious violation."""
    require_service("axe-core", AXE.exists(), f"{AXE} is missing (npm ci)")
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help,
                   targets: v.nodes.map(n => n.target.join(' '))}))"""
    )
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not serious, f"{page.url}: {serious}"


def assert_fits(page) -> None:
    """Nothing on the page, the table included, scrolls sideways at 1280 px."""
    widths = page.evaluate(
        """() => [document.documentElement.scrollWidth,
                  ...[...document.querySelectorAll('#changelist table, #result_list')]
                     .map(t => t.parentElement.scrollWidth - t.parentElement.clientWidth)]"""
    )
    assert widths[0] <= WIDTH, widths
    assert all(extra <= 0 for extra in widths[1:]), widths


def assert_no_script_refused(page) -> None:
    """The CSP holds without refusing any of the console's own scripts."""
    assert not [text for text in page.refused if "script-src" in text], page.refused


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def people(policy, settings):
    settings.REDRESS_AUTO_ASSIGN = False
    billing = CategoryFactory(name="Billing", policy=policy)
    CategoryFactory(name="Double charge", parent=billing, policy=policy)
    return {
        "hana": HandlerFactory(username="hana", first_name="Hana", last_name="Hale"),
        "sam": SupervisorFactory(username="sam", first_name="Sam", last_name="Stone"),
    }


def test_a_handlers_day(live_server, console, people):
    hana = people["hana"]
    case = case_in("investigating", handler=hana, complainant_name="Rosa Diaz")
    quiet = case_in("acknowledged", handler=hana, complainant_name="Otto Brandt")
    services.complaint_record_customer_reply(complaint=case, body="It was my Visa card.")
    page = console

    sign_in(page, live_server.url, "hana")
    sidebar(page, "Needs a reply")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert case.display_reference in rows.first.inner_text()
    assert rows.first.locator(".activity-marker").count() == 1
    sidebar(page, "My cases")
    table = page.locator("#result_list").inner_text()
    for heading in ("Reference", "Name", "Category", "State", "Handler", "Next deadline", "Age"):
        assert heading.upper() in table.upper()
    assert "Hana Hale" in table and quiet.display_reference in table
    assert_fits(page)
    screenshot(page, "queue")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name=case.display_reference))
    page.wait_for_load_state()
    assert Complaint.objects.get(pk=case.pk).activity_at is None
    timeline = page.locator("#timeline").inner_text()
    assert timeline.count("It was my Visa card.") == 1
    assert_fits(page)
    screenshot(page, "case")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Request information…"))
    page.fill("textarea[name=body]", "Which card number ends the charge?")
    follow(page, page.get_by_role("button", name="Request information"))
    assert "sent to the complainant" in page.locator("ul.messagelist").inner_text()

    follow(page, page.get_by_role("link", name="Respond…"))
    assert page.locator("select[name=outcome]").input_value() == ""
    page.fill("textarea[name=findings]", "The order was charged twice.")
    page.fill("textarea[name=reasoning]", "The duplicate charge was our error.")
    page.get_by_role("button", name="Respond").click()
    # The browser itself holds the form back until an outcome is chosen.
    assert page.locator("select[name=outcome]").evaluate("select => select.validity.valueMissing")
    assert Complaint.objects.get(pk=case.pk).state == "investigating"
    page.select_option("select[name=outcome]", "upheld")
    follow(page, page.get_by_role("button", name="Respond"))
    assert "response" in page.locator("ul.messagelist").inner_text()
    assert Complaint.objects.get(pk=case.pk).state == "responded"
    assert_no_script_refused(page)


def test_a_supervisors_day(live_server, console, people):
    hana, sam = people["hana"], people["sam"]
    case = case_in("responded", handler=hana, complainant_name="Rosa Diaz")
    escalation = escalation_request(
        complaint=case, actor=COMPLAINANT, grounds="The refund does not cover the bank fee."
    )
    other = case_in("investigating", handler=hana, complainant_name="Una Lee")
    escalation_request(complaint=other, actor=Actor.staff(hana), grounds="A senior view.")
    page = console

    sign_in(page, live_server.url, "sam")
    sidebar(page, "Escalations")
    assert_fits(page)
    for link in page.locator("#result_list .row-button").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
    row = page.locator("#result_list tbody tr", has_text=case.display_reference)
    assert "Unassigned" in row.inner_text() and "Requested" in row.inner_text()
    screenshot(page, "escalations")
    assert_accessible(page)

    follow(page, row.get_by_role("link", name="Assign"))
    assert_accessible(page)
    page.select_option("select[name=reviewer]", str(sam.pk))
    follow(page, page.get_by_role("button", name="Assign"))
    assert "Sam Stone reviews complaint" in page.locator("ul.messagelist").inner_text()
    assert Escalation.objects.get(pk=escalation.pk).reviewer == sam

    follow(
        page,
        page.locator("#result_list tbody tr", has_text=case.display_reference).get_by_role(
            "link", name="Decide"
        ),
    )
    assert "The refund does not cover the bank fee." in page.content()
    screenshot(page, "decision")
    assert_accessible(page)
    page.get_by_label("Original response upheld").check()
    page.fill("textarea[name=reasoning]", "The fee was the bank's, not ours.")
    page.fill("textarea[name=final_response]", "We stand by our response.")
    follow(page, page.get_by_role("button", name="Decide and send the final response"))
    assert "is decided" in page.locator("ul.messagelist").inner_text()
    assert Escalation.objects.get(pk=escalation.pk).state == "decided"

    sidebar(page, "Figures")
    follow(page, page.get_by_role("link", name="Last 30 days"))
    summary = page.locator(".report-figures").inner_text()
    assert not re.search(r"\d\.\d{3,}", summary)
    assert_fits(page)
    screenshot(page, "dashboard")
    assert_accessible(page)

    sidebar(page, "Policies")
    follow(page, page.locator("#result_list tbody a").first)
    assert page.locator("#deadline-preview").count() == 1
    assert page.locator("input[type=date][name=closure_days]").count() >= 3
    screenshot(page, "policy")
    assert_accessible(page)
    assert_no_script_refused(page)
