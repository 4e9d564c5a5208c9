"""The reads every submission makes are compiled once, but their rows are read every time."""

import pytest
from django.urls import reverse

from complaints import compiled_reads, selectors
from complaints.choices import TargetKind
from complaints.models import Category, ComplaintPolicy, PolicyTarget
from tests.factories import DEFAULT_TARGETS, CategoryFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_categories_as_they_are_now_on_each_form(client):
    CategoryFactory(name="Billing")
    assert "Billing" in client.get(reverse("complaint-new")).content.decode()
    Category.objects.filter(name="Billing").update(name="Charges")
    CategoryFactory(name="Delivery")
    page = client.get(reverse("complaint-new")).content.decode()
    assert "Charges" in page
    assert "Delivery" in page
    assert "Billing" not in page


def test_it_reads_the_default_policy_and_its_targets_as_they_are_now(policy):
    assert selectors.default_policy().target(TargetKind.ACKNOWLEDGE).amount == 24
    PolicyTarget.objects.filter(policy=policy, kind=TargetKind.ACKNOWLEDGE).update(amount=48)
    assert selectors.default_policy().target(TargetKind.ACKNOWLEDGE).amount == 48
    other = PolicyFactory(is_default=True, targets={TargetKind.ACKNOWLEDGE: (None, 2, "days")})
    read = selectors.default_policy()
    assert read == other
    assert [target.amount for target in read.targets.all()] == [2]


def test_it_answers_none_without_a_default_policy(policy):
    ComplaintPolicy.objects.update(is_default=False)
    assert selectors.default_policy() is None


def test_it_gives_the_targets_without_another_query(policy, django_assert_num_queries):
    with django_assert_num_queries(2):
        read = selectors.default_policy()
        assert {target.kind for target in read.targets.all()} == set(DEFAULT_TARGETS)


def test_it_refuses_a_queryset_with_more_than_one_models_columns(policy):
    with pytest.raises(ValueError, match="own columns"):
        compiled_reads.instances(
            PolicyTarget, lambda: PolicyTarget.objects.select_related("policy")
        )


def _category_named(name):
    return Category.objects.filter(name=name)


def test_it_sends_each_calls_own_arguments():
    CategoryFactory(name="Billing")
    CategoryFactory(name="Delivery")
    first = compiled_reads.instances(Category, _category_named, "Billing")
    second = compiled_reads.instances(Category, _category_named, "Delivery")
    assert [category.name for category in first] == ["Billing"]
    assert [category.name for category in second] == ["Delivery"]


def test_it_refuses_an_argument_the_queryset_changes():
    with pytest.raises(ValueError, match="as it was given"):
        compiled_reads.instances(
            Category, lambda part: Category.objects.filter(name__icontains=part), "Bill"
        )
