"""The category admin shows the FCA product group, cause and payment-services flag, a sub-type
without its own taking its group's (Category.fca_classification, the one resolver)."""

import pytest
from django.urls import reverse

from complaints.rulepacks.disp import is_payment_service
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_it_lists_each_categorys_product_group_and_cause_with_a_sub_type_taking_its_groups(
    client, sam
):
    cards = CategoryFactory(
        name="Cards", product_group="banking", cause_code="terms", is_payment_service=True
    )
    CategoryFactory(name="Chargebacks", parent=cards, cause_code="arrears")
    client.force_login(sam)
    page = client.get(reverse("admin:complaints_category_changelist")).content.decode()
    assert "Banking and credit cards" in page and "Arrears related" in page
    assert '<em title="From its group">Banking and credit cards</em>' in page
    form = client.get(reverse("admin:complaints_category_change", args=[cards.pk])).content
    assert b"FCA complaints return (DISP 1 Annex 1)" in form


def test_a_sub_type_is_a_payment_service_when_its_group_is():
    cards = CategoryFactory(name="Cards", is_payment_service=True)
    chargebacks = CategoryFactory(name="Chargebacks", parent=cards)
    assert chargebacks.fca_classification().is_payment_service
    assert is_payment_service(chargebacks) and not is_payment_service(None)
