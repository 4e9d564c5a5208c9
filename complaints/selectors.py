"""Reads about complaints that are more than a filter."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from complaints import compiled_reads
from complaints.choices import OPEN_STATES
from complaints.models import Category, Complaint, ComplaintPolicy, Message, PolicyTarget
from complaints.roles import HANDLERS

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def default_policy() -> ComplaintPolicy | None:
    """Return the default policy with its targets, or None if there is none.

    Every submission reads it: two queries compiled once (compiled_reads), the targets laid
    out as prefetch_related("targets") leaves them, so policy.targets.all() asks nothing more.
    """
    policy = next(iter(compiled_reads.instances(ComplaintPolicy, _default_policy)), None)
    if policy is None:
        return None
    targets = [
        target
        for target in compiled_reads.instances(PolicyTarget, _default_policy_targets)
        # Should the default change between the two reads, its targets are read again.
        if target.policy_id == policy.pk
    ] or list(policy.targets.all())
    for target in targets:
        target.policy = policy
    cached = policy.targets.all()
    # Django's own prefetch sets these two (QuerySet and Model internals stubs leave out).
    cached._result_cache, cached._prefetch_done = targets, True  # type: ignore[attr-defined]
    policy._prefetched_objects_cache = {"targets": cached}  # type: ignore[attr-defined]
    return policy


def _default_policy() -> QuerySet[ComplaintPolicy]:
    return ComplaintPolicy.objects.filter(is_default=True).order_by("pk")


def _default_policy_targets() -> QuerySet[PolicyTarget]:
    return PolicyTarget.objects.filter(policy__is_default=True).order_by("pk")


def policy_for(
    category: Category | None, *, default: ComplaintPolicy | None = None
) -> ComplaintPolicy:
    """Return the policy a complaint in `category` is handled under.

    `default` is the default policy where the caller has already read it (`default_policy`).
    With no default policy (deleted after install) the neutral one is made the default rather
    than a complaint refused: configuration is never the complainant's problem.
    """
    policy = category.effective_policy() if category is not None else None
    if policy is None:
        policy = default or ComplaintPolicy.objects.filter(is_default=True).first()
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


# ANALYZE's most common words of the cases' own text (its sample of index complaint_search,
# migration 0017), with the share of cases holding each: the share holding every word of a
# query is at least the sum of the words' shares less one per extra word, whatever their
# overlap. A word not among them counts as in none. Over twice the cap (room for the sample's
# error) the query is common, and the GIN indexes are not read at all: a NULL row says so.
# Messages' statistics are not asked: one long thread could hold a word many times.
SEARCH_FOUND = """
WITH shares AS (
    SELECT coalesce(max(common.share), 0) AS share
    FROM unnest(%s::text[]) AS word
    LEFT JOIN (
        SELECT e.elem, e.share
        FROM pg_stats AS s,
            unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, share)
        WHERE s.schemaname = current_schema() AND s.tablename = 'complaint_search'
    ) AS common ON starts_with(common.elem, word)
    GROUP BY word
), common AS MATERIALIZED (
    SELECT (sum(share) - count(*) + 1) * max(greatest(c.reltuples, 0)) > %s AS yes
    FROM shares, pg_class AS c
    WHERE c.oid = 'complaint_search'::regclass
)
SELECT NULL WHERE (SELECT yes FROM common)
UNION ALL
SELECT * FROM ({found}) AS found WHERE NOT (SELECT yes FROM common)
"""


def search_found(words: list[str], query: SearchQuery) -> list[int] | None:
    """Return the ids of the cases matching `query` (PostgreSQL), at most SEARCH_ID_LIST_CAP + 1
    of them, or None when ANALYZE's statistics show `words` in well over the cap of cases.

    One query: the statistics decide whether the GIN indexes are read.
    """
    found = search_matches(query)[: SEARCH_ID_LIST_CAP + 1]
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_FOUND.format(found=sql), [words, 2 * SEARCH_ID_LIST_CAP, *params])
        ids = [pk for (pk,) in cursor.fetchall()]
    if ids[:1] == [None]:
        return None
    return ids


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
        # indexed words is asked first, in the same query: a word it finds in most cases goes
        # straight to the walk.
        found = search_found(words, query)
        if found is not None and len(found) <= SEARCH_ID_LIST_CAP:
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
