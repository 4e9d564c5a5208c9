"""The supervisors' dashboard: every figure is a database aggregate over one period.

Cohorts: "received" figures (volumes, deadlines kept, time to acknowledge, escalation rate)
count complaints received in the period; "closed" figures (volumes, outcomes, redress,
satisfaction, root causes, time to resolve) count complaints closed in it; escalation reviews
count escalations requested in it; open cases by age are as of now. A deadline is kept when the
step happened by it, missed when it happened later or has passed without it (withdrawn cases
aside); deadlines still running count as neither.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import Channel, Outcome, RootCause, State
from complaints.models import Category, Complaint
from escalations.models import Escalation
from reports.aggregates import PercentileCont, database_has_percentiles, percentile
from reports.periods import Period

# Open cases by days since receipt: (label, from day, before day).
AGE_BANDS = [
    (gettext_lazy("Up to 1 week"), 0, 8),
    (gettext_lazy("1–4 weeks"), 8, 29),
    (gettext_lazy("4–8 weeks"), 29, 57),
    (gettext_lazy("Over 8 weeks"), 57, None),
]
# (name, done-at field, deadline field)
DEADLINES = [
    (gettext_lazy("Acknowledge"), "acknowledged_at", "acknowledge_by"),
    (gettext_lazy("First response"), "first_responded_at", "respond_by"),
    (gettext_lazy("Full response"), "responded_at", "resolve_by"),
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
        return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_figures(*, period: Period, category: Category | None, now: dt.datetime) -> Dashboard:
    """Return every figure of the dashboard for `period`, optionally for one category."""
    cases = in_category(Complaint.objects.all(), category)
    received = cases.filter(received_at__gte=period.start, received_at__lt=period.end)
    closed = cases.filter(closed_at__gte=period.start, closed_at__lt=period.end)
    names = category_names()

    by_channel_category = received.values("channel", "category_id").annotate(n=Count("*"))
    received_channels, received_categories = Counter(), Counter()
    for row in by_channel_category:
        received_channels[row["channel"]] += row["n"]
        received_categories[row["category_id"]] += row["n"]

    kept = received.aggregate(
        **deadline_counts(now),
        escalated=Count("received_at", filter=Q(escalated_at__isnull=False)),
        **percentiles("acknowledge", "business_days_to_acknowledge"),
    )

    closed_groups = closed.values(
        "channel", "category_id", "outcome", "root_cause", "redress_currency"
    ).annotate(
        n=Count("*"),
        redress=Sum("redress_amount"),
        rated=Count("satisfaction_rating"),
        rating_sum=Sum("satisfaction_rating"),
    )
    closed_channels, closed_categories, outcomes, causes = (
        Counter(),
        Counter(),
        Counter(),
        Counter(),
    )
    redress: Counter = Counter()
    rated = rating_sum = 0
    for row in closed_groups:
        closed_channels[row["channel"]] += row["n"]
        closed_categories[row["category_id"]] += row["n"]
        outcomes[row["outcome"]] += row["n"]
        causes[row["root_cause"]] += row["n"]
        if row["redress"]:
            redress[row["redress_currency"]] += row["redress"]
        rated += row["rated"]
        rating_sum += row["rating_sum"] or 0

    resolved = closed.filter(state=State.RESOLVED)
    resolve_times = resolved.aggregate(**percentiles("close", "business_days_to_close"))
    reviews = review_counts(category, period, now)
    ages = age_counts(cases, now)

    durations = [
        duration(
            _("Time to acknowledge"), received, "business_days_to_acknowledge", kept, "acknowledge"
        ),
        duration(_("Time to resolve"), resolved, "business_days_to_close", resolve_times, "close"),
    ]
    deadline_rows = [
        (str(name), share(kept[f"{done}_kept"], kept[f"{done}_missed"]))
        for name, done, _limit in DEADLINES
    ] + [(_("Escalation review"), share(reviews["kept"], reviews["missed"]))]
    return Dashboard(
        period=period,
        category=category,
        received=kept["received"],
        closed=sum(closed_channels.values()),
        escalated=kept["escalated"],
        redress=sorted(redress.items()),
        satisfaction_average=rating_sum / rated if rated else None,
        satisfaction_count=rated,
        durations=durations,
        charts=[
            Chart(
                "received_by_channel",
                _("Received by channel"),
                labelled(received_channels, Channel),
            ),
            Chart(
                "received_by_category", _("Received by category"), named(received_categories, names)
            ),
            Chart("closed_by_channel", _("Closed by channel"), labelled(closed_channels, Channel)),
            Chart("closed_by_category", _("Closed by category"), named(closed_categories, names)),
            Chart("deadlines_kept", _("Deadlines kept"), deadline_rows, unit="%"),
            Chart("outcomes", _("Outcomes"), labelled(outcomes, Outcome)),
            Chart("root_causes", _("Root causes"), labelled(causes, RootCause)),
            Chart("open_by_age", _("Open cases by age"), ages),
        ],
    )


def in_category(queryset: QuerySet, category: Category | None, prefix: str = "") -> QuerySet:
    """Narrow to a category and its sub-types."""
    if category is None:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}category": category}) | Q(**{f"{prefix}category__parent": category})
    )


def deadline_counts(now: dt.datetime) -> dict:
    # Counting received_at, never pk: every column read is in the complaint_received index,
    # so PostgreSQL answers from the index alone.
    counts = {"received": Count("*")}
    for _name, done, limit in DEADLINES:
        counts[f"{done}_kept"] = Count("received_at", filter=Q(**{f"{done}__lte": F(limit)}))
        counts[f"{done}_missed"] = Count(
            "received_at",
            filter=Q(**{f"{done}__gt": F(limit)})
            | (Q(**{f"{done}__isnull": True, f"{limit}__lt": now}) & ~Q(state=State.WITHDRAWN)),
        )
    return counts


def percentiles(prefix: str, field_name: str) -> dict:
    """Return the percentile aggregates to add to a query, where the database computes them."""
    if not database_has_percentiles():
        return {}
    return {
        f"{prefix}_median": PercentileCont(field_name, 0.5),
        f"{prefix}_p90": PercentileCont(field_name, 0.9),
        f"{prefix}_count": Count(field_name),
    }


def duration(
    name: str, queryset: QuerySet, field_name: str, figures: dict, prefix: str
) -> Duration:
    if database_has_percentiles():
        return Duration(
            name, figures[f"{prefix}_median"], figures[f"{prefix}_p90"], figures[f"{prefix}_count"]
        )
    count = queryset.filter(**{f"{field_name}__isnull": False}).count()
    return Duration(
        name, percentile(queryset, field_name, 0.5), percentile(queryset, field_name, 0.9), count
    )


def review_counts(category: Category | None, period: Period, now: dt.datetime) -> dict:
    escalations = in_category(Escalation.objects.all(), category, prefix="complaint__").filter(
        requested_at__gte=period.start, requested_at__lt=period.end
    )
    return escalations.aggregate(
        kept=Count("pk", filter=Q(decided_at__lte=F("review_by"))),
        missed=Count(
            "pk",
            filter=Q(decided_at__gt=F("review_by")) | Q(decided_at__isnull=True, review_by__lt=now),
        ),
    )


def age_counts(cases: QuerySet, now: dt.datetime) -> list[tuple[str, float]]:
    bands = {}
    for index, (_label, first, before) in enumerate(AGE_BANDS):
        condition = Q(received_at__lte=now - dt.timedelta(days=first))
        if before is not None:
            condition &= Q(received_at__gt=now - dt.timedelta(days=before))
        bands[f"band{index}"] = Count("received_at", filter=condition)
    counts = cases.open().aggregate(**bands)
    return [(str(label), counts[f"band{index}"]) for index, (label, *_r) in enumerate(AGE_BANDS)]


def share(kept: int, missed: int) -> float:
    return round(100 * kept / (kept + missed), 1) if kept + missed else 0.0


def category_names() -> dict[int | None, str]:
    names: dict[int | None, str] = {
        category.pk: str(category) for category in Category.objects.select_related("parent")
    }
    names[None] = _("No category")
    return names


def labelled(counts: Counter, choices) -> list[tuple[str, float]]:
    labels = dict(choices.choices)
    return [
        (str(labels.get(value, value or _("Not recorded"))), count)
        for value, count in counts.most_common()
    ]


def named(counts: Counter, names: dict[int | None, str]) -> list[tuple[str, float]]:
    return [(names.get(pk, str(pk)), count) for pk, count in counts.most_common()]
