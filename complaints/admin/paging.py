"""Paging for queues over big tables: the count stops at a cap instead of counting every row."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

# A queue is worked from its first pages; past 20 pages of 100 a handler filters instead.
# Counting at most this many rows keeps the page's cost flat at a million complaints
# (bench/run.py), where a full COUNT(*) of a handler's cases took a quarter of a second.
COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    @cached_property
    def counted(self) -> int:
        """Return the number of rows, up to one more than the cap."""
        queryset = cast(QuerySet, self.object_list)  # the admin pages querysets only
        # Only the keys: the rows' annotations and joins would be worked out for every row
        # counted (filters that use them keep them in the WHERE clause).
        return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        """Return whether there are more rows than `count` (the pages stop at the cap)."""
        return self.counted > COUNT_CAP

    @property
    def template_name(self) -> str:
        """Return the theme's template of the pages' links and count, or where the count
        stopped at the cap, one that says so (the theme's pagination.html includes it)."""
        if self.capped:
            return "admin/complaints/pagination_capped.html"
        return "unfold/helpers/pagination_default.html"

    @property
    def cap(self) -> str:
        """Return the cap as the active language writes numbers ("2,000", "2.000")."""
        return number_format(COUNT_CAP, force_grouping=True)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
        if self.capped:
            # The last page shown is not the last there is.
            yield self.ELLIPSIS
