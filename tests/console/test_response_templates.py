"""Standard wording a handler may start a response from, chosen for the case's category."""

import re

import pytest

from complaints.choices import Outcome, Remedy, State
from complaints.models import ResponseTemplate
from tests.console.pages import act_url, change_url, walk_to
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing():
    parent = CategoryFactory(name="Billing")
    return CategoryFactory(name="Charged twice", parent=parent)


def test_it_offers_the_templates_of_the_category_its_parent_and_general_ones(
    client, policy, hana, billing
):
    case = walk_to(State.INVESTIGATING, by=hana, handler=hana)
    case.category = billing
    case.save(update_fields=["category"])
    ResponseTemplate.objects.create(name="Duplicate charge", findings="Wording.", category=billing)
    ResponseTemplate.objects.create(
        name="Any billing", findings="Wording.", category=billing.parent
    )
    ResponseTemplate.objects.create(name="General apology", findings="Wording.")
    ResponseTemplate.objects.create(
        name="Parcel lost", findings="Wording.", category=CategoryFactory(name="Delivery")
    )
    ResponseTemplate.objects.create(
        name="Retired", findings="Wording.", category=billing, is_active=False
    )
    client.force_login(hana)
    page = client.get(act_url(case, "respond")).content.decode()
    for offered in ("Duplicate charge", "Any billing", "General apology"):
        assert offered in page
    assert "Parcel lost" not in page and "Retired" not in page


def test_choosing_a_template_fills_the_response_form_and_nothing_is_sent_yet(
    client, policy, hana, billing
):
    case = walk_to(State.INVESTIGATING, by=hana, handler=hana)
    template = ResponseTemplate.objects.create(
        name="Duplicate charge",
        findings="The payment provider retried a charge that had succeeded.",
        reasoning="You paid twice for one period.",
        remedies=[Remedy.REFUND],
        outcome=Outcome.UPHELD,
    )
    client.force_login(hana)
    page = client.get(act_url(case, "respond") + f"?template={template.pk}").content.decode()
    assert "The payment provider retried a charge that had succeeded." in page
    assert re.search(r'<input type="checkbox" name="remedies" value="refund"[^>]*checked', page)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


def test_a_template_with_an_unknown_remedy_is_refused(billing):
    from django.core.exceptions import ValidationError

    template = ResponseTemplate(name="Odd", remedies=["free_pony"])
    with pytest.raises(ValidationError, match="free_pony"):
        template.full_clean()


def test_it_fills_the_merge_fields_into_a_message_for_the_complainant(client, policy, hana):
    from django.urls import reverse

    from tests.console.pages import change_url

    case = walk_to(State.INVESTIGATING, by=hana, handler=hana)
    template = ResponseTemplate.objects.create(
        name="Still working",
        body="Dear {name}, about {reference}: {handler} will answer by {resolve_by}. {unknown}",
    )
    client.force_login(hana)
    assert reverse("admin:complaints_complaint_act", args=[case.pk, "send_message"]) in (
        client.get(change_url(case)).content.decode()
    )
    page = client.get(act_url(case, "send_message") + f"?template={template.pk}").content.decode()
    assert f"Dear {case.complainant_name}, about {case.display_reference}: Hana Hale" in page
    assert case.resolve_by.strftime("%Y") in page and "{unknown}" in page
    request_page = client.get(act_url(case, "request_information")).content.decode()
    assert "Still working" in request_page
    respond_page = client.get(act_url(case, "respond")).content.decode()
    assert "Still working" not in respond_page  # it has no response wording


def test_it_fills_merge_fields_without_reaching_into_objects(policy, hana):
    from complaints.models import complaint_merge_values, merge_fields

    case = walk_to(State.INVESTIGATING, by=hana, handler=hana)
    values = complaint_merge_values(case)
    assert merge_fields("{name.__class__} {name}", values) == (
        f"{{name.__class__}} {case.complainant_name}"
    )


def test_the_case_page_offers_standard_wording_for_a_message_and_not_for_a_note(
    client, policy, hana
):
    case = walk_to(State.INVESTIGATING, by=hana, handler=hana)
    client.force_login(hana)
    page = client.get(change_url(case)).content.decode()
    correspondence = page[page.index('id="correspondence"') :]
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>Start from standard wording', correspondence)
    assert links == [act_url(case, "send_message")]
