"""Percentiles in the database: percentile_cont on PostgreSQL, ORDER BY and OFFSET elsewhere."""

from __future__ import annotations

import math

from django.db import connection
from django.db.models import Aggregate, FloatField, QuerySet


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile, an ordered-set aggregate (FILTER works with it)."""

    function = "PERCENTILE_CONT"
    name = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction from 0 to 1.")
        super().__init__(expression, fraction=float(fraction), **extra)


def database_has_percentiles() -> bool:
    return connection.vendor == "postgresql"


def percentile(queryset: QuerySet, field: str, fraction: float) -> float | None:
    """Return the interpolated percentile of `field` over `queryset`, with two small queries.

    The portable fallback: count the rows, then read the one or two rows around the rank with
    ORDER BY and OFFSET, so memory stays bounded whatever the table holds.
    """
    values = queryset.filter(**{f"{field}__isnull": False}).order_by(field)
    count = values.count()
    if count == 0:
        return None
    rank = fraction * (count - 1)
    low = math.floor(rank)
    pair = list(values.values_list(field, flat=True)[low : low + 2])
    if len(pair) == 1 or rank == low:
        return float(pair[0])
    return float(pair[0]) + (float(pair[1]) - float(pair[0])) * (rank - low)
