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

from django.db import connection
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
from complaints.models import Category
from reports.aggregates import percentile
from reports.periods import Period

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


def dashboard_figures(
    *,
    period: Period,
    category: Category | None,
    now: dt.datetime,
    categories: list[Category] | None = None,
) -> Dashboard:
    """Return every figure of the dashboard for `period`, optionally for one category.

    The database groups and Python adds the groups up: the received cases in one query, by
    channel, category and business days to acknowledge, with the deadline counts; the closed
    cases in one, by channel, category, outcome, root cause and currency, and in one more by
    business days to resolve. Percentiles come from those counts per day, identical to
    PostgreSQL's percentile_cont and the same on every database. `categories` are every
    category with its parent, if the caller has read them already.
    """
    if categories is None:
        categories = list(Category.objects.select_related("parent"))
    family = None if category is None else category_family(category, categories)
    start, end = _moment(period.start), _moment(period.end)
    names = category_names(categories)

    where, params = _counted(family)
    received_groups = _dicts(
        RECEIVED_SQL.format(where=where),
        [*params, start, end],
        ("channel", "category_id", "business_days_to_acknowledge", "received", "escalated"),
    )
    received_total = sum(row["received"] for row in received_groups)
    escalated_total = sum(row["escalated"] for row in received_groups)
    received_channels = count_by(received_groups, "channel", "received")

    closed_groups = _dicts(
        CLOSED_SQL.format(where=where),
        [*params, start, end],
        ("channel", "category_id", "outcome", "root_cause", "n", "rated", "rating_sum"),
    )
    closed_channels = count_by(closed_groups, "channel")
    rated = sum(row["rated"] for row in closed_groups)
    rating_sum = sum(row["rating_sum"] or 0 for row in closed_groups)

    resolve_days: Counter = Counter(
        dict(_rows(RESOLVE_SQL.format(where=where), [*params, start, end, State.RESOLVED]))
    )
    promises = promise_counts(family, period, now)
    ages, paused_now, suspended_now = open_counts(family, now)

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
        received=received_total,
        closed=sum(closed_channels.values()),
        escalated=escalated_total,
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
        vulnerability=vulnerability_counts(family, period),
    )


# The figures' queries, written out. Built through the ORM, the nine queries cost more CPU to
# compile than to run (about 12 ms a page at 10 000 cases; the vulnerable cases' ten FILTERed
# counts alone 4 ms). Each is the SQL the ORM built, so PostgreSQL's plans stay the same
# index-only scans (the indexes named in each function), in SQL SQLite runs too: aggregate
# FILTER clauses are SQLite's since 3.30, older than Django supports. `where` is _counted's.
RECEIVED_SQL = """
SELECT c.channel, c.category_id, c.business_days_to_acknowledge, COUNT(*),
  COUNT(c.received_at) FILTER (WHERE c.escalated_at IS NOT NULL)
FROM complaints_complaint c
WHERE {where} AND c.received_at >= %s AND c.received_at < %s
GROUP BY 1, 2, 3"""
CLOSED_SQL = """
SELECT c.channel, c.category_id, c.outcome, c.root_cause, COUNT(*),
  COUNT(c.satisfaction_rating), SUM(c.satisfaction_rating)
FROM complaints_complaint c
WHERE {where} AND c.closed_at >= %s AND c.closed_at < %s
GROUP BY 1, 2, 3, 4"""
RESOLVE_SQL = """
SELECT c.business_days_to_close, COUNT(*)
FROM complaints_complaint c
WHERE {where} AND c.closed_at >= %s AND c.closed_at < %s AND c.state = %s
GROUP BY 1"""
# A promise is missed unless kept by its limit, or released by it (no longer owed).
PROMISES_SQL = """
SELECT p.kind,
  COUNT(p."limit") FILTER (WHERE p.kept_at <= p."limit"),
  COUNT(p."limit") FILTER (WHERE NOT (p.kept_at <= p."limit" AND p.kept_at IS NOT NULL)
    AND NOT (p.released_at <= p."limit" AND p.released_at IS NOT NULL))
FROM complaints_promise p{join}
WHERE p."limit" >= %s AND p."limit" < %s{family}
GROUP BY 1"""
# Met: the final response by its limit, or a holding reply by the holding reply's own limit.
REGULATORY_MET = """(p.kept_at <= p."limit" AND p.kept_at IS NOT NULL) OR EXISTS (
    SELECT 1 FROM complaints_promise h WHERE h.complaint_id = p.complaint_id
    AND h.kept_at IS NOT NULL AND h.kept_at <= h."limit" AND h.kind = %s)"""
REGULATORY_SQL = f"""
SELECT COUNT(p.id) FILTER (WHERE {REGULATORY_MET}),
  COUNT(p.id) FILTER (WHERE NOT ({REGULATORY_MET})
    AND NOT (p.released_at <= p."limit" AND p.released_at IS NOT NULL))
FROM complaints_promise p{{join}}
WHERE p.kind = %s AND p."limit" >= %s AND p."limit" < %s{{family}}"""
OPEN_SQL = """
SELECT {bands},
  COUNT(c.received_at) FILTER (WHERE c.clock_paused_at IS NOT NULL),
  COUNT(c.received_at) FILTER (WHERE c.regulatory_suspended_until > %s)
FROM complaints_complaint c
WHERE {where} AND c.state IN ({states})"""
REDRESS_SQL = """
SELECT r.currency, SUM(r.amount)
FROM complaints_redressentry r{join}
WHERE r.entry_type = %s AND r.status = %s AND r."on" >= %s AND r."on" <= %s{family}
GROUP BY 1"""
VULNERABLE_SQL = """
SELECT {counts}
FROM complaints_complaint c JOIN complaints_vulnerability v ON v.complaint_id = c.id
WHERE {where} AND ({flagged})"""
BY_CASE = " JOIN complaints_complaint c ON c.id = {table}.complaint_id"


def _moment(value: dt.datetime):
    """Return `value` as the database takes it in a query (on SQLite, text in UTC)."""
    return connection.ops.adapt_datetimefield_value(value)


def _placeholders(values: Iterable) -> str:
    return ", ".join("%s" for _value in values)


def _counted(family: list[int] | None) -> tuple[str, list]:
    """Return the condition on complaints `c` the figures count, and its parameters.

    A duplicate merged into its original counts once, as the original (complaints.related),
    and a category narrows by id rather than through the parent: the complaint indexes
    include category, so the filter needs no join with the categories.
    """
    if family is None:
        return "c.merged_into_id IS NULL", []
    return f"c.merged_into_id IS NULL AND c.category_id IN ({_placeholders(family)})", family


def _by_case(table: str, family: list[int] | None) -> tuple[str, str, list]:
    """Return the join with the case, the condition on its category and their parameters."""
    if family is None:
        return "", "", []
    condition = f" AND c.category_id IN ({_placeholders(family)})"
    return BY_CASE.format(table=table), condition, family


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dicts(sql: str, params: list, names: tuple[str, ...]) -> list[dict]:
    return [dict(zip(names, row, strict=True)) for row in _rows(sql, params)]


def redress_paid(family: list[int] | None, period: Period) -> list[tuple[str, Decimal]]:
    """Return the approved payments of the ledger dated in `period`, summed per currency.

    Index redress_paid holds the date, currency and amount of approved payments only.
    """
    join, condition, params = _by_case("r", family)
    rows = _rows(
        REDRESS_SQL.format(join=join, family=condition),
        [
            RedressEntryType.PAYMENT,
            ApprovalStatus.APPROVED,
            connection.ops.adapt_datefield_value(period.first),
            connection.ops.adapt_datefield_value(period.last),
            *params,
        ],
    )
    # SQLite sums decimals as floats: back to the ledger's places, as the ORM's converter does.
    return sorted((currency, Decimal(str(total)).quantize(CENTS)) for currency, total in rows)


CENTS = Decimal("0.01")


def vulnerability_counts(family: list[int] | None, period: Period) -> list[tuple[str, int, int]]:
    """Return how many cases flagged vulnerable are open now and closed in `period`, in all
    and per driver, in one query: counts only, never who or why."""
    where, params = _counted(family)
    # "" for any driver: every case the query reads is flagged.
    drivers = ["", *VulnerabilityDriver.values]
    states = _placeholders(OPEN_STATES)
    counts: list[str] = []
    count_params: list = []
    for value in drivers:
        driver = f" AND v.{value}" if value else ""
        counts.append(f"COUNT(c.id) FILTER (WHERE c.state IN ({states}){driver})")
        counts.append(f"COUNT(c.id) FILTER (WHERE c.closed_at >= %s AND c.closed_at < %s{driver})")
        count_params += [*OPEN_STATES, _moment(period.start), _moment(period.end)]
    flagged = " OR ".join(f"v.{value}" for value in VulnerabilityDriver.values)
    sql = VULNERABLE_SQL.format(counts=", ".join(counts), where=where, flagged=flagged)
    (row,) = _rows(sql, [*count_params, *params])
    labels = dict(VulnerabilityDriver.choices)
    return [
        (str(labels[value]) if value else "", row[2 * index], row[2 * index + 1])
        for index, value in enumerate(drivers)
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
    join, condition, params = _by_case("p", family)
    rows = _rows(
        PROMISES_SQL.format(join=join, family=condition),
        [_moment(period.start), _moment(min(period.end, now)), *params],
    )
    return {kind: (kept, missed) for kind, kept, missed in rows}


def clock_figures(family: list[int] | None, period: Period, now: dt.datetime) -> Clocks:
    """Return the regulator's deadlines met in `period`.

    A regulatory deadline (a final-response promise whose limit fell in the period) is met when
    the final response or a holding reply was sent by its limit; one released before its limit
    (no longer owed) counts as neither, as with every promise. Index promise_final_response_due
    holds them, so the period's other promises are not read.
    """
    join, condition, params = _by_case("p", family)
    ((met, missed),) = _rows(
        REGULATORY_SQL.format(join=join, family=condition),
        [
            PromiseKind.HOLDING_REPLY,
            PromiseKind.HOLDING_REPLY,
            PromiseKind.FINAL_RESPONSE,
            _moment(period.start),
            _moment(min(period.end, now)),
            *params,
        ],
    )
    return Clocks(regulatory_met=met, regulatory_missed=missed)


def open_counts(
    family: list[int] | None, now: dt.datetime
) -> tuple[list[tuple[str, float]], int, int]:
    """Return the open cases by age, and how many of them are paused and suspended now.

    One query over index complaint_open_received, which holds every column it reads.
    """
    bands: list[str] = []
    params: list = []
    for _label, first, before in AGE_BANDS:
        if before is None:
            bands.append("COUNT(c.received_at) FILTER (WHERE c.received_at <= %s)")
            params.append(_moment(now - dt.timedelta(days=first)))
        else:
            bands.append(
                "COUNT(c.received_at) FILTER (WHERE c.received_at <= %s AND c.received_at > %s)"
            )
            params += [
                _moment(now - dt.timedelta(days=first)),
                _moment(now - dt.timedelta(days=before)),
            ]
    where, counted = _counted(family)
    sql = OPEN_SQL.format(bands=", ".join(bands), where=where, states=_placeholders(OPEN_STATES))
    (row,) = _rows(sql, [*params, _moment(now), *counted, *OPEN_STATES])
    ages = [(str(label), row[index]) for index, (label, *_r) in enumerate(AGE_BANDS)]
    return ages, row[-2], row[-1]


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
