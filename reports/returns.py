"""The half-yearly complaints data return, in the shape of FCA DISP 1.10 (DISP 1 Annex 1).

Rules, per top-level category (a sub-type counts under its parent), or, once any category carries
an FCA product group or cause (DISP 1 Annex 1), per product group and cause (a sub-type without
them takes its group's: Category.fca_classification says the same for one category):
- received: complaints received in the period;
- closed within 3 business days / after that within 8 weeks / later: complaints closed in the
  period (resolved or withdrawn), banded by the business days from the day of receipt and by
  eight calendar weeks from receipt;
- upheld: complaints closed in the period with the outcome upheld or partly upheld (the return
  counts a complaint upheld in part as upheld);
- redress paid: per currency, the approved payments of the redress ledger dated in the period
  (an offer, or a payment awaiting its second approver, is not paid);
- outstanding: complaints received before the period's end and not closed by then.
Anonymised cases keep every field these rules read, so they still count. A duplicate merged into
its original counts once, as the original, received when the first of the two was. The readable
report adds the cases flagged vulnerable, as counts per driver.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, fields
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from complaints.choices import (
    ApprovalStatus,
    CauseCode,
    Outcome,
    ProductGroup,
    RedressEntryType,
    VulnerabilityDriver,
)
from complaints.models import Category, Complaint, RedressEntry
from complaints.querysets import vulnerable_q
from reports.periods import Period

EIGHT_WEEKS = dt.timedelta(weeks=8)
SUMMARY_RESOLUTION_DAYS = 3
CENT = Decimal("0.01")


@dataclass
class ReturnRow:
    category: str
    received: int
    closed_within_3_business_days: int
    closed_within_8_weeks: int
    closed_later: int
    upheld: int
    # Per currency: amounts in different currencies are never added up.
    redress_paid: dict[str, Decimal]
    outstanding: int

    @property
    def closed(self) -> int:
        return self.closed_within_3_business_days + self.closed_within_8_weeks + self.closed_later


COLUMNS = [
    ("category", "Category"),
    ("received", "Received"),
    ("closed_within_3_business_days", "Closed within 3 business days"),
    ("closed_within_8_weeks", "Closed after 3 business days, within 8 weeks"),
    ("closed_later", "Closed after 8 weeks"),
    ("upheld", "Upheld (incl. partly)"),
    ("redress_paid", "Redress paid"),
    ("outstanding", "Outstanding at period end"),
]


def fca_grouped() -> bool:
    """Return whether the return groups by FCA product group and cause (any category has one)."""
    return Category.objects.exclude(product_group="", cause_code="").exists()


def _fca(field: str, prefix: str = ""):
    """The category's own value of `field`, else its group's; None for neither."""
    return Coalesce(
        NullIf(f"{prefix}category__{field}", Value("")),
        NullIf(f"{prefix}category__parent__{field}", Value("")),
    )


def group_key(grouped: bool, prefix: str = "") -> dict:
    """Return the annotations a row of the return is grouped by."""
    if grouped:
        return {"product_group": _fca("product_group", prefix), "cause": _fca("cause_code", prefix)}
    return {"group": Coalesce(f"{prefix}category__parent_id", f"{prefix}category_id")}


def _category_label():
    names = dict(Category.objects.filter(parent__isnull=True).values_list("pk", "name"))
    return lambda key: names.get(key[0], _("No category"))


def _fca_label(key: tuple) -> str:
    product = ProductGroup(key[0]).label if key[0] else _("No product group")
    cause = CauseCode(key[1]).label if key[1] else _("No cause")
    return f"{product} · {cause}"


def complaints_return(period: Period) -> list[ReturnRow]:
    """Return one row per group (top-level category, or FCA product group and cause) and a
    final row with the totals."""
    start, end = period.start, period.end
    received = Q(received_at__gte=start, received_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    outstanding = Q(received_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    within_3 = closed & Q(business_days_to_close__lte=SUMMARY_RESOLUTION_DAYS)
    within_8_weeks = closed & Q(closed_at__lte=F("received_at") + EIGHT_WEEKS) & ~within_3
    grouped = fca_grouped()
    key = group_key(grouped)
    groups = (
        Complaint.objects.counted()
        .filter(received | closed | outstanding)
        .annotate(**key)
        .values(*key)
        .annotate(
            received=Count("pk", filter=received),
            within_3=Count("pk", filter=within_3),
            within_8_weeks=Count("pk", filter=within_8_weeks),
            closed=Count("pk", filter=closed),
            upheld=Count(
                "pk", filter=closed & Q(outcome__in=[Outcome.UPHELD, Outcome.PARTLY_UPHELD])
            ),
            outstanding=Count("pk", filter=outstanding),
        )
        .order_by(*key)
    )
    label = _fca_label if grouped else _category_label()
    paid = redress_paid_by_group(period, grouped=grouped)
    rows = [
        ReturnRow(
            category=label(ident := tuple(group[name] for name in key)),
            received=group["received"],
            closed_within_3_business_days=group["within_3"],
            closed_within_8_weeks=group["within_8_weeks"],
            closed_later=group["closed"] - group["within_3"] - group["within_8_weeks"],
            upheld=group["upheld"],
            redress_paid=paid.pop(ident, {}),
            outstanding=group["outstanding"],
        )
        for group in groups
    ]
    # Paid in the period on a case neither received, closed nor outstanding in it.
    rows += [ReturnRow(label(ident), 0, 0, 0, 0, 0, amounts, 0) for ident, amounts in paid.items()]
    rows.sort(key=lambda row: row.category)
    counts = [f.name for f in fields(ReturnRow)[1:] if f.name != "redress_paid"]
    total = ReturnRow(
        _("Total"),
        **{name: sum(getattr(row, name) for row in rows) for name in counts},
        redress_paid=add_amounts(row.redress_paid for row in rows),
    )
    return [*rows, total]


def redress_paid_by_group(
    period: Period, *, grouped: bool = False
) -> dict[tuple, dict[str, Decimal]]:
    """Return the approved payments dated in `period`, per group of the return and currency.

    Summed in the database (index redress_paid); a sub-type's payments count under its parent
    (or its product group and cause, when the return groups by those).
    """
    key = group_key(grouped, "complaint__")
    rows = (
        RedressEntry.objects.filter(
            entry_type=RedressEntryType.PAYMENT,
            status=ApprovalStatus.APPROVED,
            on__gte=period.first,
            on__lte=period.last,
        )
        .annotate(**key)
        .order_by()
        .values(*key, "currency")
        .annotate(total=Sum("amount"))
    )
    paid: dict[tuple, dict[str, Decimal]] = {}
    for row in rows:
        ident = tuple(row[name] for name in key)
        paid.setdefault(ident, {})[row["currency"]] = row["total"].quantize(CENT)
    return paid


def add_amounts(amounts) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for each in amounts:
        for currency, amount in each.items():
            total[currency] = total.get(currency, Decimal(0)) + amount
    return dict(sorted(total.items()))


def currencies(rows: list[ReturnRow]) -> list[str]:
    """Return the currencies paid in, or the default currency when nothing was paid."""
    found = sorted({currency for row in rows for currency in row.redress_paid})
    return found or [settings.REDRESS_DEFAULT_CURRENCY]


def vulnerability_return(period: Period) -> list[tuple[str, int, int, int]]:
    """Return (driver, received, closed, outstanding) of cases flagged vulnerable, in all
    ("") and per driver, in one query: counts only."""
    start, end = period.start, period.end
    received = Q(received_at__gte=start, received_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    outstanding = Q(received_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    drivers = [("", vulnerable_q())] + [
        (value, Q(**{f"vulnerability__{value}": True})) for value in VulnerabilityDriver.values
    ]
    columns = (("received", received), ("closed", closed), ("outstanding", outstanding))
    counts = (
        Complaint.objects.counted()
        .filter(vulnerable_q())
        .filter(received | closed | outstanding)
        .aggregate(
            **{
                f"{name}_{value or 'any'}": Count("pk", filter=when & flagged)
                for value, flagged in drivers
                for name, when in columns
            }
        )
    )
    labels = dict(VulnerabilityDriver.choices)
    return [
        (
            str(labels[value]) if value else "",
            *(counts[f"{name}_{value or 'any'}"] for name, _when in columns),
        )
        for value, _flagged in drivers
    ]


def return_table(rows: list[ReturnRow]) -> tuple[list[str], list[list[object]]]:
    """Return the return's heading and lines: one redress column per currency paid in."""
    paid_in = currencies(rows)
    header: list[str] = ["Product group · cause" if fca_grouped() else COLUMNS[0][1]]
    for name, title in COLUMNS[1:]:
        if name == "redress_paid":
            header += [f"{title} ({currency})" for currency in paid_in]
        else:
            header.append(title)
    lines = []
    for row in rows:
        line: list[object] = []
        for name, _title in COLUMNS:
            if name == "redress_paid":
                line += [row.redress_paid.get(currency, Decimal("0.00")) for currency in paid_in]
            else:
                line.append(getattr(row, name))
        lines.append(line)
    return header, lines


def return_csv(rows: list[ReturnRow]) -> str:
    """Return the return as CSV: one redress column per currency paid in."""
    header, lines = return_table(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def return_text(period: Period, rows: list[ReturnRow], organisation: str) -> str:
    """Return the readable report: one block per category, the totals last."""
    lines = [
        f"Complaints data return — {organisation}",
        f"Period {period.name or period}: {period.first:%d %B %Y} to {period.last:%d %B %Y}",
        "",
    ]
    for row in rows:
        lines.append(row.category)
        lines.append("-" * len(row.category))
        for name, title in COLUMNS[1:]:
            if name == "redress_paid":
                for currency in currencies(rows):
                    amount = row.redress_paid.get(currency, Decimal("0.00"))
                    lines.append(f"  {f'{title} ({currency}):':<48}{amount:>12}")
            else:
                lines.append(f"  {title + ':':<48}{getattr(row, name):>12}")
        upheld = f"{100 * row.upheld / row.closed:.1f}%" if row.closed else "—"
        lines.append(f"  {'Upheld share of closed:':<48}{upheld:>12}")
        lines.append("")
    lines.append("Vulnerable customers (counts of cases flagged)")
    lines.append("-" * 46)
    for driver, received, closed, outstanding in vulnerability_return(period):
        lines.append(
            f"  {(driver or 'Any driver') + ':':<20}received {received:>6}   closed {closed:>6}"
            f"   outstanding {outstanding:>6}"
        )
    lines.append("")
    lines.append("Upheld counts complaints upheld in full or in part.")
    lines.append("Redress paid is the approved payments of the redress ledger dated in the period.")
    return "\n".join(lines) + "\n"
