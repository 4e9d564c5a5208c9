"""Reads about complaints that are more than a filter."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from complaints.choices import OPEN_STATES
from complaints.models import Category, Complaint, ComplaintPolicy, Message
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


# Search: PostgreSQL full-text search over the case's own text and its messages, each on a GIN
# index of exactly these expressions (migration 0015); elsewhere (SQLite) a plain icontains.
SEARCH_CONFIG = "simple"  # no stemming: complaints come in English and German
SEARCHED_FIELDS = (
    "reference",
    "complainant_name",
    "complainant_email",
    "account_identifier",
    "description",
)


def complaint_search_vector() -> SearchVector:
    return SearchVector(*SEARCHED_FIELDS, config=SEARCH_CONFIG)


def message_search_vector() -> SearchVector:
    return SearchVector("body", config=SEARCH_CONFIG)


def complaint_search(queryset: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    """Return the cases of `queryset` whose details or messages contain every word of `text`.

    Each word matches as a prefix ("Ros" finds Rosa). `queryset` is already narrowed to what
    the user may see, so the search never widens it.
    """
    words = [word for word in re.findall(r"[\w@.+-]+", text.lower()) if word.strip("@.+-")]
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        # Raw tsquery syntax: each word quoted as one lexeme; the pattern above lets no quote in.
        query = SearchQuery(
            " & ".join(f"'{word}':*" for word in words), config=SEARCH_CONFIG, search_type="raw"
        )
        # One id list from each index, united, rather than an OR the planner cannot split.
        in_details = (
            Complaint.objects.annotate(found=complaint_search_vector())
            .filter(found=query)
            .values("pk")
        )
        in_messages = (
            Message.objects.annotate(found=message_search_vector())
            .filter(found=query)
            .values("complaint_id")
        )
        return queryset.filter(pk__in=in_details.union(in_messages))
    for word in words:
        queryset = queryset.filter(
            Q(*[Q(**{f"{field}__icontains": word}) for field in SEARCHED_FIELDS], _connector=Q.OR)
            | Exists(Message.objects.filter(complaint=OuterRef("pk"), body__icontains=word))
        )
    return queryset
