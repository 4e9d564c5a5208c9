"""The business-day clock: every deadline Redress promises is computed here and nowhere else.

Conventions (written into the public policy page as well):
- An hour target counts elapsed hours, so 24 hours across a DST change is 24 real hours.
- A calendar-day target lands on the same local wall-clock time N days later.
- A business-day target ends at close of business on the Nth business day after the day of
  receipt. A complaint received after close of business or on a closed day counts as received on
  the next business day (the convention of FCA DISP 1.6 and most published policies).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from complaints.models import ComplaintPolicy

# Two years of closed days in a row means the calendar can never reach a business day.
MAX_CLOSED_RUN = 731


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    BUSINESS_DAYS = "business_days", _("business days")


@dataclass(frozen=True)
class Target:
    """A promise: a limit and an optional earlier aim, both in one unit."""

    amount: int
    unit: str
    aim: int | None = None


@dataclass(frozen=True)
class Deadline:
    limit: dt.datetime
    aim: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current moment; the one place Redress asks what time it is."""
    return timezone.now()


def supported_countries() -> dict[str, list[str]]:
    """Return the countries of the `holidays` package with their subdivisions."""
    return holidays.list_supported_countries()


def is_known_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones() or name == "UTC"


@functools.lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str = "") -> holidays.HolidayBase:
    """Return the public holidays of a country (and subdivision), one table per process.

    Building one costs about a millisecond for some countries (the UK's), and a policy's
    calendar is made for every complaint submitted: the table fills itself year by year as
    days are asked of it, and nothing else changes it.
    """
    return holidays.country_holidays(country, subdiv=subdivision or None)


class BusinessCalendar:
    """Working days, public holidays and closures of one organisation, in its time zone."""

    def __init__(
        self,
        *,
        country: str = "",
        subdivision: str = "",
        time_zone: str = "UTC",
        working_days: tuple[int, ...] | list[int] = (0, 1, 2, 3, 4),
        closure_days: tuple[dt.date, ...] | list[dt.date] = (),
        close_of_business: dt.time = dt.time(17, 0),
    ) -> None:
        self.tz = ZoneInfo(time_zone)
        self.working_days = frozenset(working_days)
        self.closure_days = frozenset(closure_days)
        self.close_of_business = close_of_business
        self._holidays = public_holidays(country, subdivision) if country else None

    @classmethod
    def for_policy(cls, policy: ComplaintPolicy) -> BusinessCalendar:
        return cls(
            country=policy.country,
            subdivision=policy.subdivision,
            time_zone=policy.time_zone,
            working_days=policy.working_days,
            closure_days=[dt.date.fromisoformat(day) for day in policy.closure_days],
            close_of_business=policy.close_of_business,
        )

    def holiday_name(self, day: dt.date) -> str | None:
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def is_business_day(self, day: dt.date) -> bool:
        if day in self.closure_days:
            return False
        if self._holidays is None:
            return day.weekday() in self.working_days
        if day in self._holidays:
            return False
        if day.weekday() in self.working_days:
            return True
        # Some countries (Vietnam, for one) move a working day onto a weekend to bridge a holiday.
        return day in self._holidays.weekend_workdays

    def next_business_day(self, day: dt.date) -> dt.date:
        for _step in range(MAX_CLOSED_RUN):
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("The business calendar has no working day in two years.")

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def day_of_receipt(self, moment: dt.datetime) -> dt.date:
        """Return the business day that a complaint received at `moment` counts as received on."""
        local = self.local(moment)
        day = local.date()
        if not self.is_business_day(day) or local.time() >= self.close_of_business:
            return self.next_business_day(day)
        return day

    def close_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.close_of_business, tzinfo=self.tz)

    def add(self, start: dt.datetime, amount: int, unit: str) -> dt.datetime:
        """Return the moment `amount` `unit`s after `start`."""
        if unit == Unit.HOURS:
            # In UTC: Python adds to the wall clock when both sides share a local tzinfo.
            return start.astimezone(dt.UTC) + dt.timedelta(hours=amount)
        if unit == Unit.CALENDAR_DAYS:
            # Aware arithmetic on a local datetime keeps the wall-clock time across DST changes.
            return self.local(start) + dt.timedelta(days=amount)
        if unit == Unit.BUSINESS_DAYS:
            day = self.day_of_receipt(start)
            for _step in range(amount):
                day = self.next_business_day(day)
            return self.close_of(day)
        raise ValueError(f"Unknown unit {unit!r}.")

    def add_from_day_of(self, start: dt.datetime, amount: int, unit: str) -> dt.datetime:
        """Like `add`, but business days count from the day `start` falls on, whatever the hour.

        For intervals between our own messages (progress updates): one sent at close of business
        must not start the next interval a day late, or the updates drift a day each cycle.
        """
        if unit != Unit.BUSINESS_DAYS:
            return self.add(start, amount, unit)
        day = self.local(start).date()
        for _step in range(amount):
            day = self.next_business_day(day)
        return self.close_of(day)

    def business_days_before(self, moment: dt.datetime, amount: int) -> dt.datetime:
        """Return close of business `amount` business days before the day `moment` falls on
        (never later than `moment`): a warning that far ahead of a limit."""
        day, counted = self.local(moment).date(), 0
        while counted < amount:
            day -= dt.timedelta(days=1)
            counted += self.is_business_day(day)
        return min(self.close_of(day), moment)

    def deadline(self, start: dt.datetime, target: Target) -> Deadline:
        """Return the limit and the aim of `target` for something that started at `start`."""
        aim = None if target.aim is None else self.add(start, target.aim, target.unit)
        return Deadline(limit=self.add(start, target.amount, target.unit), aim=aim)

    def business_days_paused(self, start: dt.datetime, end: dt.datetime) -> int:
        """Return how many business days a pause from `start` to `end` took from a target.

        A business day counts when its close of business fell inside the pause: that day's
        work could not be finished while we waited. A pause within one working day takes none.
        """
        if end <= start:
            return 0
        day, last = self.local(start).date(), self.local(end).date()
        count = 0
        while day <= last:
            if self.is_business_day(day) and start < self.close_of(day) <= end:
                count += 1
            day += dt.timedelta(days=1)
        return count

    def resume(
        self, moment: dt.datetime, *, paused_from: dt.datetime, paused_until: dt.datetime, unit: str
    ) -> dt.datetime:
        """Return where a limit (or aim) at `moment` moves after a pause, counted in `unit`.

        Business-day targets move by the business days paused, landing on a business day at the
        same local time; hour and calendar-day targets move by the time paused.
        """
        if unit != Unit.BUSINESS_DAYS:
            return moment + (paused_until - paused_from)
        local = self.local(moment)
        day = local.date()
        for _step in range(self.business_days_paused(paused_from, paused_until)):
            day = self.next_business_day(day)
        return dt.datetime.combine(day, local.timetz())

    def suspension_window(
        self, starts_on: dt.date, until: dt.date
    ) -> tuple[dt.datetime, dt.datetime]:
        """Return the moments a regulator's suspension runs between: from the start of its
        first day to the end of the day it names, in the calendar's time zone."""
        start = dt.datetime.combine(starts_on, dt.time(0), tzinfo=self.tz)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=self.tz)
        return start, end

    def business_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Return how many business days after the day of receipt `end` falls on (0: same day)."""
        day, last = self.day_of_receipt(start), self.local(end).date()
        count = 0
        while day < last:
            day += dt.timedelta(days=1)
            count += self.is_business_day(day)
        return count


def due_soon_at(deadline: Deadline, *, warning_hours: int) -> dt.datetime:
    """Return when `deadline` becomes due soon: once its aim passed or its warning window began."""
    warn_from = deadline.limit - dt.timedelta(hours=warning_hours)
    return min(deadline.aim, warn_from) if deadline.aim else warn_from


def latest_start_passed(amount: int, unit: str, now: dt.datetime) -> dt.datetime:
    """Return a moment no earlier than any start whose `amount` `unit`s have passed by `now`.

    A bound for an index, whatever the calendar: a business day is at least a calendar day and
    a wall-clock day at least 23 hours; `BusinessCalendar.add` decides each start before it.
    """
    if unit == Unit.HOURS:
        return now - dt.timedelta(hours=amount)
    return now - dt.timedelta(days=max(amount - 1, 0))


def deadline_for(policy: ComplaintPolicy, kind: str, start: dt.datetime) -> Deadline | None:
    """Return the deadline of the policy's promise `kind` for something started at `start`."""
    target = policy.target(kind)
    if target is None:
        return None
    return policy.calendar().deadline(start, target)


def moment_after(
    policy: ComplaintPolicy, kind: str, start: dt.datetime | None
) -> dt.datetime | None:
    """Return the limit of the policy's promise `kind` counted from `start`, if it makes one.

    Nothing counts from a moment that has not come (`start` None): there is no limit then.
    """
    if start is None:
        return None
    deadline = deadline_for(policy, kind, start)
    return None if deadline is None else deadline.limit


def suspension_shift(
    *, received_at: dt.datetime, limit: dt.datetime, window: tuple[dt.datetime, dt.datetime]
) -> dt.timedelta:
    """Return how far a regulator's suspension over `window` moves a regulatory limit.

    The regulator's clock stands still for the part of the window after receipt (a complaint
    received during it starts its clock when the window ends) and the rest of its time runs
    after: the limit moves by that part. A limit that passed before the window moves nothing.
    """
    # In UTC: the time that stood still, not the wall-clock difference across a DST change.
    start, end = (moment.astimezone(dt.UTC) for moment in window)
    counted_from = max(start, received_at.astimezone(dt.UTC))
    if limit <= start or counted_from >= end:
        return dt.timedelta(0)
    return end - counted_from
