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


def regulatory_clock_in_use() -> bool:
    """Return whether any policy keeps a rule pack with a regulatory clock (one query)."""
    from complaints import rulepacks

    clocked = rulepacks.codes_with_clock()
    return any(
        clocked.intersection(codes or [])
        for codes in ComplaintPolicy.objects.values_list("rule_packs", flat=True)
    )


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


# A search that finds more cases than this is for a common word (see complaint_search).
SEARCH_ID_LIST_CAP = 2_000


def complaint_search_vector() -> SearchVector:
    return SearchVector(*SEARCHED_FIELDS, config=SEARCH_CONFIG)


def message_search_vector() -> SearchVector:
    return SearchVector("body", config=SEARCH_CONFIG)


def search_query(words: list[str]) -> SearchQuery:
    """Return the tsquery for cases holding every one of `words` (lower case), each as a prefix."""
    # Raw tsquery syntax: each word quoted as one lexeme; complaint_search's pattern lets no
    # quote in.
    return SearchQuery(
        " & ".join(f"'{word}':*" for word in words), config=SEARCH_CONFIG, search_type="raw"
    )


def search_matches(query: SearchQuery) -> QuerySet:
    """Return the ids of the cases whose details or messages match `query` (PostgreSQL): one id
    list from each GIN index, united, rather than an OR the planner cannot split."""
    in_details = (
        Complaint.objects.annotate(found=complaint_search_vector())
        .filter(found=query)
        .order_by()
        .values_list("pk", flat=True)
    )
    in_messages = (
        Message.objects.annotate(found=message_search_vector())
        .filter(found=query)
        .order_by()
        .values_list("complaint_id", flat=True)
    )
    return in_details.union(in_messages)


# The statistics ANALYZE keeps of the GIN index over the cases' own text (migration 0017).
SEARCH_STATISTICS = """
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
FROM pg_stats AS s JOIN pg_class AS c ON c.relname = s.tablename
WHERE s.schemaname = current_schema() AND s.tablename = 'complaint_search'
    AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
"""


def search_is_common(words: list[str]) -> bool:
    """Return whether ANALYZE's sample of the cases shows every one of `words` (as prefixes)
    together in well over SEARCH_ID_LIST_CAP cases (PostgreSQL).

    The sample's most common words come with the share of cases holding each; a word not among
    them counts as in none (the GIN indexes then tell). The share holding them all is at least
    the sum of the shares less one per extra word, whatever their overlap; twice the cap leaves
    room for the sample's error. Messages are not asked: one long thread could hold a word
    many times.
    """
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_STATISTICS)
        row = cursor.fetchone()
    if row is None:
        return False
    lexemes, shares, cases = row
    if not lexemes or not shares or cases <= 0:
        return False
    # The shares end with three more numbers (least, most, empty): zip stops before them.
    common = list(zip(lexemes, shares, strict=False))
    least_share = 1.0 - len(words)
    for word in words:
        least_share += max(
            (share for lexeme, share in common if lexeme.startswith(word)), default=0.0
        )
    return least_share * cases > 2 * SEARCH_ID_LIST_CAP


def complaint_search(queryset: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    """Return the cases of `queryset` whose details or messages contain every word of `text`.

    Each word matches as a prefix ("Ros" finds Rosa). `queryset` is already narrowed to what
    the user may see, so the search never widens it.
    """
    words = [word for word in re.findall(r"[\w@.+-]+", text.lower()) if word.strip("@.+-")]
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        query = search_query(words)
        # The planner cannot tell how many cases a word finds (it guesses thousands, and at a
        # million complaints then joins by reading the whole table: seconds). So ask the GIN
        # indexes first, capped: a name, an address, an order number finds a few cases, listed
        # by id for the queue to fetch by primary key; a word in more cases than the cap is
        # common, and the queue then walks its own ordering, testing each case, and stops at
        # the page's end (bench/run.py measures both at a million).
        # Asking the GIN indexes costs in proportion to the matches (about half a second for a
        # word in a million cases, only to learn it is common), so ANALYZE's sample of the
        # indexed words is asked first: a word it finds in most cases goes straight to the walk.
        if not search_is_common(words):
            found = list(search_matches(query)[: SEARCH_ID_LIST_CAP + 1])
            if len(found) <= SEARCH_ID_LIST_CAP:
                return queryset.filter(pk__in=found)
        in_messages = (
            Message.objects.alias(found=message_search_vector())
            .filter(complaint=OuterRef("pk"), found=query)
            .order_by()
        )
        return queryset.alias(found=complaint_search_vector()).filter(
            Q(found=query) | Exists(in_messages)
        )
    for word in words:
        queryset = queryset.filter(
            Q(*[Q(**{f"{field}__icontains": word}) for field in SEARCHED_FIELDS], _connector=Q.OR)
            | Exists(Message.objects.filter(complaint=OuterRef("pk"), body__icontains=word))
        )
    return queryset
