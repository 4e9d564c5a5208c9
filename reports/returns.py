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
- redress paid: the sum of redress amounts of complaints closed in the period;
- outstanding: complaints received before the period's end and not closed by then.
Anonymised cases keep every field these rules read, so they still count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import astuple, dataclass, fields
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from complaints.choices import CauseCode, Outcome, ProductGroup
from complaints.models import Category, Complaint
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
    redress_paid: Decimal
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


def _fca(field: str):
    """The category's own value of `field`, else its group's; None for neither."""
    return Coalesce(
        NullIf(f"category__{field}", Value("")), NullIf(f"category__parent__{field}", Value(""))
    )


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
    if grouped:
        key = {"product_group": _fca("product_group"), "cause": _fca("cause_code")}
    else:
        key = {"group": Coalesce("category__parent_id", "category_id")}
    groups = (
        Complaint.objects.filter(received | closed | outstanding)
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
            redress=Sum("redress_amount", filter=closed),
            outstanding=Count("pk", filter=outstanding),
        )
        .order_by(*key)
    )
    label = _fca_label if grouped else _category_label()
    rows = [
        ReturnRow(
            category=label(group),
            received=group["received"],
            closed_within_3_business_days=group["within_3"],
            closed_within_8_weeks=group["within_8_weeks"],
            closed_later=group["closed"] - group["within_3"] - group["within_8_weeks"],
            upheld=group["upheld"],
            redress_paid=(group["redress"] or Decimal(0)).quantize(CENT),
            outstanding=group["outstanding"],
        )
        for group in groups
    ]
    rows.sort(key=lambda row: row.category)
    total = ReturnRow(
        _("Total"), *(sum(getattr(row, f.name) for row in rows) for f in fields(ReturnRow)[1:])
    )
    return [*rows, total]


def _category_label():
    names = dict(Category.objects.filter(parent__isnull=True).values_list("pk", "name"))
    return lambda group: names.get(group["group"], _("No category"))


def _fca_label(group: dict) -> str:
    product = ProductGroup(group["product_group"]).label if group["product_group"] else None
    cause = CauseCode(group["cause"]).label if group["cause"] else None
    return f"{product or _('No product group')} · {cause or _('No cause')}"


def return_csv(rows: list[ReturnRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    heading = "Product group · cause" if fca_grouped() else COLUMNS[0][1]
    writer.writerow([heading, *(title for _name, title in COLUMNS[1:])])
    writer.writerows(astuple(row) for row in rows)
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
            lines.append(f"  {title + ':':<48}{getattr(row, name):>12}")
        upheld = f"{100 * row.upheld / row.closed:.1f}%" if row.closed else "—"
        lines.append(f"  {'Upheld share of closed:':<48}{upheld:>12}")
        lines.append("")
    lines.append("Upheld counts complaints upheld in full or in part.")
    return "\n".join(lines) + "\n"
