"""The supervisors' dashboard: every figure is a database aggregate over one period.

Cohorts: "received" figures (volumes, deadlines kept, time to acknowledge, escalation rate)
count complaints received in the period; "closed" figures (volumes, outcomes, redress,
satisfaction, root causes, time to resolve) count complaints closed in it; escalation reviews
count escalations requested in it; open cases by age are as of now. A deadline is kept when the
step happened by it, missed when it happened later or has passed without it (withdrawn cases
aside); deadlines still running count as neither. Promises kept are the Promise records: those
whose limit fell in the period, kept when kept by their limit, missed when kept later or not at
all (a promise released before its limit, no longer owed, counts as neither). A duplicate
merged into its original counts once, as the original (received when the first of the two was);
the duplicate's own promises were made to a person and still count in promises kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import (
    OPEN_STATES,
    ApprovalStatus,
    Channel,
    Outcome,
    PromiseKind,
    RedressEntryType,
    RootCause,
    State,
    VulnerabilityDriver,
)
from complaints.models import Category, Complaint, Promise, RedressEntry
from complaints.querysets import ComplaintQuerySet, vulnerable_q
from reports.aggregates import percentile
from reports.periods import Period

QS = TypeVar("QS", bound=QuerySet)

# Open cases by days since receipt: (label, from day, before day).
AGE_BANDS = [
    (gettext_lazy("Up to 1 week"), 0, 8),
    (gettext_lazy("1–4 weeks"), 8, 29),
    (gettext_lazy("4–8 weeks"), 29, 57),
    (gettext_lazy("Over 8 weeks"), 57, None),
]
# The promises the dashboard shares out, in the order shown.
PROMISES = [
    (PromiseKind.ACKNOWLEDGEMENT, gettext_lazy("Acknowledge")),
    (PromiseKind.FIRST_RESPONSE, gettext_lazy("First response")),
    (PromiseKind.FULL_RESPONSE, gettext_lazy("Full response")),
    (PromiseKind.PROGRESS_UPDATE, gettext_lazy("Progress updates")),
    (PromiseKind.REVIEW, gettext_lazy("Escalation review")),
]


@dataclass
class Chart:
    key: str
    title: str
    rows: list[tuple[str, float]]
    unit: str = ""


@dataclass
class Duration:
    """Business days from the day of receipt: median and 90th percentile."""

    name: str
    median: float | None
    p90: float | None
    count: int


# The organisation's own targets (the regulator's promises are reported apart).
INTERNAL_TARGETS = (
    PromiseKind.ACKNOWLEDGEMENT,
    PromiseKind.FIRST_RESPONSE,
    PromiseKind.FULL_RESPONSE,
    PromiseKind.REVIEW,
)


@dataclass
class Clocks:
    """Each clock on its own: internal targets kept in time, regulatory deadlines met (a final
    response or a holding reply by the limit), and the cases whose clocks stand still now."""

    internal_kept: int = 0
    internal_missed: int = 0
    regulatory_met: int = 0
    regulatory_missed: int = 0
    paused_now: int = 0
    suspended_now: int = 0

    def rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [
            (
                _("Internal targets kept in time (%)"),
                _share_or_none(self.internal_kept, self.internal_missed),
            ),
            (
                _("Regulatory deadlines met (%)"),
                _share_or_none(self.regulatory_met, self.regulatory_missed),
            ),
            (_("Cases paused now (waiting on the complainant)"), self.paused_now),
            (_("Cases with the regulatory deadline suspended now"), self.suspended_now),
        ]
        return rows


@dataclass
class Dashboard:
    period: Period
    category: Category | None
    received: int
    closed: int
    escalated: int
    redress: list[tuple[str, Decimal]]
    satisfaction_average: float | None
    satisfaction_count: int
    durations: list[Duration]
    charts: list[Chart] = field(default_factory=list)
    clocks: Clocks = field(default_factory=Clocks)
    # Cases flagged vulnerable, counts only: (driver label or "" for any, open now, closed).
    vulnerability: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def escalation_rate(self) -> float | None:
        return None if not self.received else 100 * self.escalated / self.received

    def chart(self, key: str) -> Chart:
        for chart in self.charts:
            if chart.key == key:
                return chart
        raise KeyError(key)

    def summary_rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [
            (_("Received"), self.received),
            (_("Closed"), self.closed),
            (_("Escalation rate (%)"), _round(self.escalation_rate)),
            (_("Satisfaction (average of 5)"), _round(self.satisfaction_average)),
            (_("Satisfaction ratings"), self.satisfaction_count),
        ]
        rows += [
            (_("Redress paid (%(c)s)") % {"c": cur or "—"}, amount) for cur, amount in self.redress
        ]
        for duration in self.durations:
            rows.append((f"{duration.name}: " + _("median business days"), _round(duration.median)))
            rows.append((f"{duration.name}: " + _("90th percentile"), _round(duration.p90)))
        rows += self.clocks.rows()
        for driver, open_now, closed in self.vulnerability:
            name = _("Vulnerable customers") + (f" ({driver})" if driver else "")
            rows.append((f"{name}: " + _("open now"), open_now))
            rows.append((f"{name}: " + _("closed in the period"), closed))
        return rows


def _share_or_none(kept: int, missed: int) -> float | None:
    return share(kept, missed) if kept + missed else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_figures(*, period: Period, category: Category | None, now: dt.datetime) -> Dashboard:
    """Return every figure of the dashboard for `period`, optionally for one category.

    The database groups and Python adds the groups up: the received cases in one query, by
    channel, category and business days to acknowledge, with the deadline counts; the closed
    cases in one, by channel, category, outcome, root cause and currency, and in one more by
    business days to resolve. Percentiles come from those counts per day, identical to
    PostgreSQL's percentile_cont and the same on every database.
    """
    categories = list(Category.objects.select_related("parent"))
    family = None if category is None else category_family(category, categories)
    # A duplicate merged into its original counts once, as the original (complaints.related).
    cases = in_categories(Complaint.objects.counted(), family)
    received = cases.filter(received_at__gte=period.start, received_at__lt=period.end)
    closed = cases.filter(closed_at__gte=period.start, closed_at__lt=period.end)
    names = category_names(categories)

    received_counts = {
        "received": Count("*"),
        "escalated": Count("received_at", filter=Q(escalated_at__isnull=False)),
    }
    received_groups = list(
        received.values("channel", "category_id", "business_days_to_acknowledge").annotate(
            **received_counts
        )
    )
    totals = {name: sum(row[name] for row in received_groups) for name in received_counts}
    received_channels = count_by(received_groups, "channel", "received")

    closed_groups = list(
        closed.values("channel", "category_id", "outcome", "root_cause").annotate(
            n=Count("*"),
            rated=Count("satisfaction_rating"),
            rating_sum=Sum("satisfaction_rating"),
        )
    )
    closed_channels = count_by(closed_groups, "channel")
    rated = sum(row["rated"] for row in closed_groups)
    rating_sum = sum(row["rating_sum"] or 0 for row in closed_groups)

    resolve_days = count_by(
        closed.filter(state=State.RESOLVED).values("business_days_to_close").annotate(n=Count("*")),
        "business_days_to_close",
    )
    promises = promise_counts(family, period, now)
    ages, paused_now, suspended_now = open_counts(cases, now)

    durations = [
        duration(
            _("Time to acknowledge"),
            count_by(received_groups, "business_days_to_acknowledge", "received"),
        ),
        duration(_("Time to resolve"), resolve_days),
    ]
    deadline_rows = [(str(name), share(*promises.get(kind, (0, 0)))) for kind, name in PROMISES]
    clocks = clock_figures(family, period, now)
    clocks.paused_now, clocks.suspended_now = paused_now, suspended_now
    clocks.internal_kept = sum(promises.get(kind, (0, 0))[0] for kind in INTERNAL_TARGETS)
    clocks.internal_missed = sum(promises.get(kind, (0, 0))[1] for kind in INTERNAL_TARGETS)
    return Dashboard(
        period=period,
        category=category,
        received=totals["received"],
        closed=sum(closed_channels.values()),
        escalated=totals["escalated"],
        redress=redress_paid(family, period),
        satisfaction_average=rating_sum / rated if rated else None,
        satisfaction_count=rated,
        durations=durations,
        clocks=clocks,
        charts=[
            Chart(
                "received_by_channel",
                _("Received by channel"),
                labelled(received_channels, Channel),
            ),
            Chart(
                "received_by_category",
                _("Received by category"),
                named(count_by(received_groups, "category_id", "received"), names),
            ),
            Chart("closed_by_channel", _("Closed by channel"), labelled(closed_channels, Channel)),
            Chart(
                "closed_by_category",
                _("Closed by category"),
                named(count_by(closed_groups, "category_id"), names),
            ),
            Chart("deadlines_kept", _("Deadlines kept"), deadline_rows, unit="%"),
            Chart("outcomes", _("Outcomes"), labelled(count_by(closed_groups, "outcome"), Outcome)),
            Chart(
                "root_causes",
                _("Root causes"),
                labelled(count_by(closed_groups, "root_cause"), RootCause),
            ),
            Chart("open_by_age", _("Open cases by age"), ages),
        ],
        vulnerability=vulnerability_counts(cases, period),
    )


def redress_paid(family: list[int] | None, period: Period) -> list[tuple[str, Decimal]]:
    """Return the approved payments of the ledger dated in `period`, summed per currency.

    Index redress_paid holds the date, currency and amount of approved payments only.
    """
    paid = RedressEntry.objects.filter(
        entry_type=RedressEntryType.PAYMENT,
        status=ApprovalStatus.APPROVED,
        on__gte=period.first,
        on__lte=period.last,
    )
    if family is not None:
        paid = paid.filter(complaint__category__in=family)
    rows = paid.order_by().values("currency").annotate(total=Sum("amount"))
    return sorted((row["currency"], row["total"]) for row in rows)


def vulnerability_counts(cases: ComplaintQuerySet, period: Period) -> list[tuple[str, int, int]]:
    """Return how many cases flagged vulnerable are open now and closed in `period`, in all
    and per driver, in one query: counts only, never who or why."""
    open_now = Q(state__in=OPEN_STATES)
    closed = Q(closed_at__gte=period.start, closed_at__lt=period.end)
    drivers = [("", vulnerable_q())] + [
        (value, Q(**{f"vulnerability__{value}": True})) for value in VulnerabilityDriver.values
    ]
    counts = cases.filter(vulnerable_q()).aggregate(
        **{
            f"{which}_{value or 'any'}": Count("pk", filter=when & flagged)
            for value, flagged in drivers
            for which, when in (("open", open_now), ("closed", closed))
        }
    )
    labels = dict(VulnerabilityDriver.choices)
    return [
        (
            str(labels[value]) if value else "",
            counts[f"open_{value or 'any'}"],
            counts[f"closed_{value or 'any'}"],
        )
        for value, _flagged in drivers
    ]


def count_by(groups: Iterable[dict], key: str, count: str = "n") -> Counter:
    """Add up the `count` of grouped rows by their value of `key`."""
    counts: Counter = Counter()
    for row in groups:
        counts[row[key]] += row[count]
    return counts


def category_family(category: Category, categories: list[Category]) -> list[int]:
    """Return the ids of `category` and its sub-types."""
    return [category.pk] + [child.pk for child in categories if child.parent_id == category.pk]


def in_categories(queryset: QS, ids: list[int] | None, prefix: str = "") -> QS:
    """Narrow to the categories `ids`, if given.

    By id rather than through the parent: the complaint indexes include category, so the
    filter needs no join with the categories.
    """
    if ids is None:
        return queryset
    return queryset.filter(**{f"{prefix}category__in": ids})


def duration(name: str, days: Counter) -> Duration:
    """Return the median and 90th percentile of business days counted per day."""
    count = sum(n for value, n in days.items() if value is not None)
    return Duration(name, percentile(days, 0.5), percentile(days, 0.9), count)


def promise_counts(
    family: list[int] | None, period: Period, now: dt.datetime
) -> dict[str, tuple[int, int]]:
    """Return (kept, missed) per promise kind, of the promises whose limit fell in `period`.

    Index promise_due holds every column read but the category, so PostgreSQL reads the
    promises of the period from the index alone unless a category narrows them.
    """
    due = Promise.objects.filter(limit__gte=period.start, limit__lt=min(period.end, now))
    if family is not None:
        due = due.filter(complaint__category__in=family)
    in_time = Q(kept_at__lte=F("limit"))
    rows = due.values("kind").annotate(
        kept=Count("limit", filter=in_time),
        missed=Count("limit", filter=~in_time & ~Q(released_at__lte=F("limit"))),
    )
    return {row["kind"]: (row["kept"], row["missed"]) for row in rows}


def clock_figures(family: list[int] | None, period: Period, now: dt.datetime) -> Clocks:
    """Return the regulator's deadlines met in `period`.

    A regulatory deadline (a final-response promise whose limit fell in the period) is met when
    the final response or a holding reply was sent by its limit; one released before its limit
    (no longer owed) counts as neither, as with every promise. Index promise_final_response_due
    holds them, so the period's other promises are not read.
    """
    due = Promise.objects.filter(
        kind=PromiseKind.FINAL_RESPONSE, limit__gte=period.start, limit__lt=min(period.end, now)
    )
    if family is not None:
        due = due.filter(complaint__category__in=family)
    holding_in_time = Exists(
        Promise.objects.filter(
            complaint=OuterRef("complaint"),
            kind=PromiseKind.HOLDING_REPLY,
            kept_at__isnull=False,
            kept_at__lte=F("limit"),
        )
    )
    met = Q(kept_at__lte=F("limit")) | Q(holding_in_time)
    counted = due.aggregate(
        met=Count("pk", filter=met),
        missed=Count("pk", filter=~met & ~Q(released_at__lte=F("limit"))),
    )
    return Clocks(regulatory_met=counted["met"], regulatory_missed=counted["missed"])


def open_counts(
    cases: ComplaintQuerySet, now: dt.datetime
) -> tuple[list[tuple[str, float]], int, int]:
    """Return the open cases by age, and how many of them are paused and suspended now.

    One query over index complaint_open_received, which holds every column it reads.
    """
    bands = {}
    for index, (_label, first, before) in enumerate(AGE_BANDS):
        condition = Q(received_at__lte=now - dt.timedelta(days=first))
        if before is not None:
            condition &= Q(received_at__gt=now - dt.timedelta(days=before))
        bands[f"band{index}"] = Count("received_at", filter=condition)
    counts = cases.open().aggregate(
        **bands,
        paused=Count("received_at", filter=Q(clock_paused_at__isnull=False)),
        suspended=Count("received_at", filter=Q(regulatory_suspended_until__gt=now)),
    )
    ages = [(str(label), counts[f"band{index}"]) for index, (label, *_r) in enumerate(AGE_BANDS)]
    return ages, counts["paused"], counts["suspended"]


def share(kept: int, missed: int) -> float:
    return round(100 * kept / (kept + missed), 1) if kept + missed else 0.0


def category_names(categories: list[Category]) -> dict[int | None, str]:
    names: dict[int | None, str] = {category.pk: str(category) for category in categories}
    names[None] = _("No category")
    return names


def labelled(counts: Counter, choices) -> list[tuple[str, float]]:
    labels = dict(choices.choices)
    return by_count(
        (str(labels.get(value, value or _("Not recorded"))), count)
        for value, count in counts.items()
    )


def named(counts: Counter, names: dict[int | None, str]) -> list[tuple[str, float]]:
    return by_count((names.get(pk, str(pk)), count) for pk, count in counts.items())


def by_count(rows: Iterable[tuple[str, int]]) -> list[tuple[str, float]]:
    """Sort chart rows by count, largest first, and rows of equal count by label."""
    return sorted(rows, key=lambda row: (-row[1], row[0]))
