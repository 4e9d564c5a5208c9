"""Percentiles of whole numbers from their counts, so one grouped query serves every database."""

from __future__ import annotations

import math
from collections.abc import Mapping


def percentile(counts: Mapping[int | None, int], fraction: float) -> float | None:
    """Return the interpolated percentile of the values counted in `counts` (value: how many).

    The steps are PostgreSQL's percentile_cont, in the same floating-point operations, so the
    result is identical to it: the values at ranks floor and ceil of fraction × (count − 1) of
    the sorted values, nulls left out, and a linear interpolation between them.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("A percentile is a fraction from 0 to 1.")
    values = sorted((value, n) for value, n in counts.items() if value is not None and n)
    total = sum(n for _value, n in values)
    if total == 0:
        return None
    rank = fraction * (total - 1)
    low, high = math.floor(rank), math.ceil(rank)
    first = float(_value_at(values, low))
    if low == high:
        return first
    return first + (float(_value_at(values, high)) - first) * (rank - low)


def _value_at(values: list[tuple[int, int]], index: int) -> int:
    """Return the value at `index` of the sorted values, given as (value, how many) pairs."""
    seen = 0
    for value, n in values:
        seen += n
        if index < seen:
            return value
    raise IndexError(index)
