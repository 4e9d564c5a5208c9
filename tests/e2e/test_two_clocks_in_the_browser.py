"""Both clocks in a real browser at 1280 px: the queue's next deadline of either clock, a
paused case, a supervisor suspending a class of cases, the case page's deadlines."""

import datetime as dt

import pytest
import time_machine

from complaints import services
from complaints.actors import Actor
from complaints.models import Complaint, RegulatorySuspension
from complaints.presets import preset_by_slug, preset_load
from tests.cases import case_in
from tests.e2e.test_console_in_the_browser import (
    WIDTH,
    assert_accessible,
    assert_fits,
    assert_no_script_refused,
    follow,
    screenshot,
    sign_in,
)
from tests.factories import CategoryFactory, HandlerFactory, SupervisorFactory
from tests.regulatory import regulatory_promises_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
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


def test_a_supervisor_sees_both_clocks_and_suspends_a_class_of_cases(live_server, browser_page):
    policy, _written = preset_load(preset_by_slug("e"))
    policy.pause_while_awaiting_complainant = True
    policy.save()
    motor = CategoryFactory(name="Motor finance", policy=policy, product_group="banking")
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=70)
    with time_machine.travel(long_ago, tick=False):
        late = case_in("investigating", handler=hana, category=motor, complainant_name="Rosa Diaz")
        regulatory_promises_make(late)
    waiting = case_in("investigating", handler=hana, category=motor, complainant_name="Una Lee")
    regulatory_promises_make(waiting)
    services.complaint_request_information(
        complaint=waiting, actor=Actor.staff(hana), body="Which car?"
    )
    page = browser_page

    sign_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/admin/complaints/complaint/?state=open")
    table = page.locator("#result_list").inner_text()
    for heading in ("Next deadline", "Age"):
        assert heading.upper() in table.upper()
    late_row = page.locator("#result_list tbody tr", has_text=late.display_reference)
    assert "OVERDUE" in late_row.inner_text().upper()
    # Past the regulator's deadline: that is the one shown, named.
    assert late_row.locator(".deadline-regulator").inner_text() == "FCA"
    # Paused internally while the regulator's clock runs on: the regulator's is shown.
    waiting_row = page.locator("#result_list tbody tr", has_text=waiting.display_reference)
    assert "ON TRACK" in waiting_row.inner_text().upper()
    assert waiting_row.locator(".deadline-regulator").count() == 1
    assert "PAUSED" in waiting_row.locator(".deadline-when").get_attribute("title").upper()
    assert_fits(page)
    screenshot(page, "queue-two-clocks")
    assert_accessible(page)

    page.goto(
        f"{live_server.url}/admin/complaints/complaint/?regulatory=overdue&product_group=banking"
    )
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and late.display_reference in rows.first.inner_text()
    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "suspend_regulatory_deadline")
    follow(page, page.locator("button[name=index]", has_text="Run"))
    assert_fits(page)
    assert_accessible(page)
    page.fill("textarea[name=reason]", "The FCA paused the 8-week clock for motor finance.")
    page.fill("input[name=reference]", "FCA PS24/1 motor finance")
    today = dt.date.today()
    page.fill("input[name=starts_on]", (today - dt.timedelta(days=30)).isoformat())
    page.fill("input[name=until]", (today + dt.timedelta(days=60)).isoformat())
    screenshot(page, "suspend-form")
    follow(page, page.get_by_role("button", name="Suspend the regulatory deadline"))
    assert "is suspended (FCA PS24/1 motor finance)" in page.locator("ul.messagelist").inner_text()
    assert RegulatorySuspension.objects.get().complaints.get() == late

    page.goto(f"{live_server.url}/admin/complaints/complaint/{late.pk}/change/")
    deadlines = page.locator("body").inner_text().upper()
    assert "REGULATORY DEADLINE" in deadlines and "SUSPENDED" in deadlines
    assert_fits(page)
    screenshot(page, "case-two-clocks")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#nav-sidebar-apps a", has_text="Regulatory suspensions").first.click()
    assert "FCA PS24/1 motor finance" in page.locator("#result_list").inner_text()
    assert_fits(page)
    assert_no_script_refused(page)
    assert Complaint.objects.get(pk=late.pk).regulatory_suspended_until is not None
