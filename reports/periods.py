"""Reporting periods: a range of local days, or a half-year of the data return ("2026H1")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.exceptions import ComplaintError

HALF_YEAR = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included."""

    first: dt.date
    last: dt.date
    name: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ComplaintError(_("A period cannot end before it starts."))

    def __str__(self) -> str:
        return self.name or f"{self.first.isoformat()} – {self.last.isoformat()}"

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Return the first moment after the period."""
        return timezone.make_aware(dt.datetime.combine(self.last, dt.time.min)) + dt.timedelta(
            days=1
        )


def half_year(code: str) -> Period:
    """Return the half-year named like 2026H1 (January–June) or 2026H2 (July–December)."""
    match = HALF_YEAR.match((code or "").strip().upper())
    if match is None:
        raise ComplaintError(
            _("“%(code)s” is not a half-year: write it like 2026H1 or 2026H2.") % {"code": code}
        )
    year, half = int(match.group(1)), int(match.group(2))
    if half == 1:
        return Period(dt.date(year, 1, 1), dt.date(year, 6, 30), name=f"{year}H1")
    return Period(dt.date(year, 7, 1), dt.date(year, 12, 31), name=f"{year}H2")


def last_days(today: dt.date, days: int) -> Period:
    return Period(today - dt.timedelta(days=days - 1), today)


def presets(today: dt.date) -> list[tuple[str, Period]]:
    """Return the periods a supervisor picks most, each with its name, as of local `today`."""
    month_start = today.replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    half = 1 if today.month <= 6 else 2
    this_half = half_year(f"{today.year}H{half}")
    last_half = half_year(f"{today.year}H1" if half == 2 else f"{today.year - 1}H2")
    return [
        (_("Last 7 days"), last_days(today, 7)),
        (_("Last 30 days"), last_days(today, 30)),
        (_("Last 90 days"), last_days(today, 90)),
        (_("This month"), Period(month_start, today)),
        (_("Last month"), Period(last_month_end.replace(day=1), last_month_end)),
        (_("This half-year"), Period(this_half.first, today)),
        (_("Last half-year"), last_half),
        (_("This year"), Period(dt.date(today.year, 1, 1), today)),
    ]
