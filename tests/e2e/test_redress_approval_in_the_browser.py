"""In a real browser a supervisor records an offer above his limit and a second one approves it."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from complaints.choices import ApprovalStatus, State
from complaints.models import ApprovalLimit
from complaints.roles import SUPERVISORS
from tests.cases import case_in
from tests.factories import HandlerFactory, SupervisorFactory
from tests.staff import authenticator, current_code

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.browser


def sign_in(chromium, live_server, user, next_url):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_code(authenticator(user)))
    page.get_by_role("button", name="Log in").click()
    return page


def test_an_offer_above_the_limit_waits_until_a_second_supervisor_approves_it(
    chromium, live_server, policy
):
    from playwright.sync_api import expect

    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    sam = SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")
    sue = SupervisorFactory(username="sue", first_name="Sue", last_name="Senior")
    seniors = Group.objects.create(name="Senior supervisors")
    sue.groups.add(seniors)
    ApprovalLimit.objects.create(
        group=Group.objects.get(name=SUPERVISORS), currency="GBP", amount=Decimal("500")
    )
    ApprovalLimit.objects.create(group=seniors, currency="GBP", amount=Decimal("1000"))
    case = case_in(State.INVESTIGATING, handler=hana)
    case_path = f"/admin/complaints/complaint/{case.pk}/change/"

    recorder = sign_in(chromium, live_server, sam, case_path)
    recorder.get_by_role("link", name="Record redress…").click()
    recorder.select_option("select[name=entry_type]", "offer")
    recorder.select_option("select[name=kind]", "compensation")
    recorder.fill("input[name=amount]", "800.00")
    recorder.fill("input[name=currency]", "gbp")
    recorder.fill("textarea[name=note]", "Distress and inconvenience over three months.")
    recorder.get_by_role("button", name="Record redress").click()
    expect(recorder.locator("ul.messagelist")).to_contain_text("above your approval limit")
    ledger = recorder.locator("#case-redress")
    expect(ledger).to_contain_text("800.00 GBP")
    expect(ledger).to_contain_text("Awaiting approval")
    # His own entry: no approval offered to him.
    expect(ledger.get_by_role("link", name="Approve…")).to_have_count(0)
    recorder.screenshot(path="/tmp/ledger-shots/recorded.png", full_page=True)

    approver = sign_in(chromium, live_server, sue, "/admin/complaints/complaint/?redress=awaiting")
    expect(approver.locator("#result_list")).to_contain_text(case.display_reference)
    approver.get_by_role("link", name=case.display_reference).click()
    approver.locator("#case-redress").get_by_role("link", name="Approve…").click()
    expect(approver.locator("#content-main")).to_contain_text("Sam Stone")
    approver.screenshot(path="/tmp/ledger-shots/confirm.png", full_page=True)
    approver.get_by_role("button", name="Approve").click()
    expect(approver.locator("ul.messagelist")).to_contain_text("approved")
    expect(approver.locator("#case-redress")).to_contain_text("Approved (Sue Senior)")
    expect(approver.locator("#timeline")).to_contain_text("Redress approved")
    approver.screenshot(path="/tmp/ledger-shots/approved.png", full_page=True)

    entry = case.redress_entries.get()
    assert (entry.status, entry.recorded_by, entry.approved_by) == (
        ApprovalStatus.APPROVED,
        sam,
        sue,
    )
