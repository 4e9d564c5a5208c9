"""In a real browser a handler acknowledges, asks for information and responds in the admin, and
the complainant sees each step on the tracking page."""

import pytest

from complaints import services
from complaints.choices import Channel
from tests.factories import HandlerFactory
from tests.staff import authenticator, current_code

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.browser


def test_it_shows_the_complainant_each_step_the_handler_takes(
    chromium, live_server, policy, settings
):
    from playwright.sync_api import expect

    settings.REDRESS_AUTO_ASSIGN = True
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    phone = authenticator(hana)
    case = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa Diaz",
        complainant_email="rosa@example.com",
        description="I was charged twice for one order.",
    )
    case_url = f"{live_server.url}/admin/complaints/complaint/{case.pk}/change/"
    tracking_url = f"{live_server.url}/track/{case.tracking_token}/"

    handler = chromium.new_page()
    complainant = chromium.new_page()

    handler.goto(f"{live_server.url}/admin/login/?next=/admin/complaints/complaint/")
    handler.fill("#id_username", "hana")
    handler.fill("#id_password", PASSWORD)
    handler.fill("#id_otp_token", current_code(phone))
    handler.get_by_role("button", name="Log in").click()
    expect(handler.locator("#result_list")).to_contain_text(case.display_reference)

    complainant.goto(tracking_url)
    expect(complainant.locator("body")).to_contain_text("Received")

    handler.goto(case_url)
    handler.get_by_role("button", name="Acknowledge").click()
    expect(handler.locator("ul.messagelist")).to_contain_text("acknowledged")
    complainant.reload()
    expect(complainant.locator("body")).to_contain_text("Acknowledged")

    handler.get_by_role("button", name="Start investigation").click()
    handler.get_by_role("link", name="Request information…").click()
    handler.fill("textarea[name=body]", "Which card was charged twice?")
    handler.get_by_role("button", name="Request information").click()
    expect(handler.locator("ul.messagelist")).to_contain_text("sent to the complainant")
    complainant.reload()
    expect(complainant.locator("body")).to_contain_text("Investigating")

    handler.get_by_role("link", name="Respond…").click()
    handler.fill("textarea[name=findings]", "The order was charged twice.")
    handler.fill("textarea[name=actions]", "We refunded the second charge.")
    handler.get_by_label("Refund").check()
    handler.fill("input[name=redress_amount]", "19.99")
    handler.fill("input[name=redress_currency]", "EUR")
    handler.fill("textarea[name=reasoning]", "The duplicate charge was our error.")
    handler.select_option("select[name=outcome]", "upheld")
    handler.get_by_role("button", name="Respond").click()
    expect(handler.locator("ul.messagelist")).to_contain_text("response")
    complainant.reload()
    expect(complainant.locator("body")).to_contain_text("Responded")

    case.refresh_from_db()
    assert case.state == "responded"
    assert case.handler.username == "hana"
    assert list(case.events.values_list("action", flat=True)) == [
        "received",
        "acknowledge",
        "start_investigation",
        "request_information",
        "respond",
    ]
