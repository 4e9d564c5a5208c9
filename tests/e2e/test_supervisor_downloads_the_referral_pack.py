"""In a real browser a supervisor downloads a case's ombudsman referral pack, and a handler
merges a duplicate into its original after seeing what the merge does."""

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from complaints import services
from complaints.actors import Actor
from complaints.choices import State
from tests.cases import case_in
from tests.factories import HandlerFactory, SupervisorFactory
from tests.staff import authenticator, current_code

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.browser


def sign_in(page, base, user, next_url):
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_code(authenticator(user)))
    page.get_by_role("button", name="Log in").click()


def test_a_supervisor_downloads_the_referral_pack(chromium, live_server, policy, settings):
    from playwright.sync_api import expect

    settings.REDRESS_AUTO_ASSIGN = False
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    sam = SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")
    case = case_in(State.INVESTIGATING, handler=hana)
    services.complaint_send_message(
        complaint=case, actor=Actor.staff(hana), body="We are checking with the bank."
    )
    services.complaint_record_customer_reply(complaint=case, body="The bank says it was you.")

    page = chromium.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, sam, f"/admin/complaints/complaint/{case.pk}/change/")
    link = page.get_by_role("link", name="Download the ombudsman referral pack")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert archive.namelist() == [f"{case.reference}-00-case-file.pdf"]
    pdf = PdfReader(io.BytesIO(archive.read(archive.namelist()[0])))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert text.index("We are checking with the bank.") < text.index("The bank says it was you.")


def test_a_handler_merges_a_duplicate_after_seeing_what_it_does(
    chromium, live_server, policy, settings
):
    from playwright.sync_api import expect

    settings.REDRESS_AUTO_ASSIGN = False
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    original = case_in(State.INVESTIGATING, handler=hana)
    duplicate = case_in(State.ACKNOWLEDGED, handler=hana, email="otto@example.com")

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, hana, f"/admin/complaints/complaint/{duplicate.pk}/change/")
    page.get_by_role("link", name="Merge into another case…").click()
    page.fill("#id_original", original.display_reference)
    page.get_by_role("button", name="Show what merging does").click()
    expect(page.locator(".merge-consequences")).to_contain_text("is not named")
    page.screenshot(path="/tmp/merge-confirmation.png", full_page=True)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("is merged into")
    expect(page.locator("#related")).to_contain_text(duplicate.display_reference)
    expect(page.locator("#related")).to_contain_text("Merged into this case")
    page.locator("#related").screenshot(path="/tmp/related-section.png")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
