"""Paging for queues over big tables: the count stops at a cap instead of counting every row."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# A queue is worked from its first pages; past 20 pages of 100 a handler filters instead.
# Counting at most this many rows keeps the page's cost flat at a million complaints
# (bench/run.py), where a full COUNT(*) of a handler's cases took a quarter of a second.
COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)  # the admin pages querysets only
        # Only the keys: the rows' annotations and joins would be worked out for every row
        # counted (filters that use them keep them in the WHERE clause).
        return queryset.order_by().values("pk")[:COUNT_CAP].count()
