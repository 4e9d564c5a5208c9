"""In a real browser a handler finds a letter to post, downloads it and marks it posted."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel
from notifications.models import Notification
from tests.factories import HandlerFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.browser


def test_it_lets_the_handler_download_and_post_a_letter(chromium, live_server, policy):
    from playwright.sync_api import expect

    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    case = services.complaint_submit(
        channel=Channel.POST,
        complainant_name="Peter Post",
        complainant_address="14 Station Road\nLeeds\nLS1 4DY",
        description="Your letter says I owe a late fee.",
        actor=Actor.staff(hana),
    )
    services.complaint_assign(complaint=case, actor=Actor.staff(hana), handler=hana)
    services.complaint_acknowledge(complaint=case)

    page = chromium.new_page(accept_downloads=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/complaints/complaint/?letters=to_post")
    page.fill("#id_username", "hana")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list")).to_contain_text(case.display_reference)

    page.get_by_role("link", name=case.display_reference).click()
    letters = page.locator("#case-letters")
    expect(letters).to_contain_text("Post this letter")
    with page.expect_download() as download:
        letters.get_by_role("link", name="Acknowledgement (PDF)").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "14 Station Road" in text and case.display_reference in text

    letters.get_by_role("button", name="Mark posted").click()
    expect(page.locator("ul.messagelist")).to_contain_text("marked posted")
    expect(page.locator("#case-letters")).to_contain_text("Posted ")
    expect(page.locator("#case-letters")).not_to_contain_text("Post this letter")
    page.screenshot(path="/tmp/letters-case-page.png", full_page=True)
    letter = case.notifications.get(channel=Notification.Channel.LETTER)
    assert letter.status == Notification.Status.SENT and letter.posted_by == hana
