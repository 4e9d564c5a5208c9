"""Reads about complaints that are more than a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from complaints.choices import OPEN_STATES
from complaints.models import Category, ComplaintPolicy
from complaints.roles import HANDLERS

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def policy_for(category: Category | None) -> ComplaintPolicy:
    """Return the policy a complaint in `category` is handled under.

    With no default policy (deleted after install) the neutral one is made the default rather
    than a complaint refused: configuration is never the complainant's problem.
    """
    policy = category.effective_policy() if category is not None else None
    if policy is None:
        policy = ComplaintPolicy.objects.filter(is_default=True).first()
    if policy is None:
        from complaints.presets import neutral_policy_ensure

        policy = neutral_policy_ensure()
    return policy


def least_loaded_handler(category: Category | None) -> User | None:
    """Return the active handler of the category's team with the fewest open cases."""
    users = get_user_model().objects.filter(is_active=True, groups__name=HANDLERS)
    team = category.handlers.all() if category is not None else None
    if team is None or not team.exists():
        parent = category.parent if category is not None else None
        team = parent.handlers.all() if parent is not None else None
    if team is not None and team.exists():
        users = users.filter(pk__in=team.values("pk"))
    return (
        users.annotate(
            open_cases=Count(
                "handled_complaints", filter=Q(handled_complaints__state__in=OPEN_STATES)
            )
        )
        .order_by("open_cases", "pk")
        .first()
    )
