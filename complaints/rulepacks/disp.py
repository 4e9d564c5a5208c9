"""The UK FCA's complaint handling rules (DISP 1), for firms under the Financial Ombudsman
Service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.choices import RulePackCode
from complaints.rulepacks.base import RulePack

if TYPE_CHECKING:
    from complaints.models import Category, Complaint

# DISP 1.6.2R: a final response (or a response explaining the delay) by the end of eight weeks
# after receipt. DISP 1.6.2AR: payment services and e-money, 15 business days (35 with a
# holding reply giving the reasons and the date of the final response).
EIGHT_WEEKS_IN_DAYS = 56
PAYMENT_SERVICES_BUSINESS_DAYS = 15
PAYMENT_SERVICES_EXTENDED_BUSINESS_DAYS = 35
# DISP 1.9.1R: records of each complaint kept at least three years from receipt.
THREE_YEARS_IN_DAYS = 1096


def is_payment_service(category: Category | None) -> bool:
    """Return whether the category (or its group) is payment services or e-money."""
    return category is not None and category.fca_classification().is_payment_service


class Disp(RulePack):
    code = RulePackCode.DISP
    name = _("UK FCA complaint handling rules (DISP)")
    min_retention_days = THREE_YEARS_IN_DAYS

    def regulatory_deadline(self, case: Complaint) -> clock.Deadline:
        calendar = case.policy.calendar()
        if is_payment_service(case.category):
            limit = calendar.add(
                case.received_at, PAYMENT_SERVICES_BUSINESS_DAYS, clock.Unit.BUSINESS_DAYS
            )
        else:
            limit = calendar.add(case.received_at, EIGHT_WEEKS_IN_DAYS, clock.Unit.CALENDAR_DAYS)
        return clock.Deadline(limit=limit)


DISP = Disp()
