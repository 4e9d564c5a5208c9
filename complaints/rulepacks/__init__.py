"""Regulators' complaint rules that a policy turns on: the UK FCA's DISP and Germany's VSBG.

A pack adds to the policy's own promises what the regulator requires: a clock that runs from
receipt and never pauses (the regulatory deadline), the statements some messages must carry, and
a minimum time records are kept. `policy.rule_packs` names the packs a policy keeps.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from complaints import clock
from complaints.rulepacks.base import RulePack, Statement
from complaints.rulepacks.disp import DISP
from complaints.rulepacks.vsbg import VSBG

if TYPE_CHECKING:
    from complaints.models import Complaint, ComplaintPolicy

PACKS: dict[str, RulePack] = {pack.code: pack for pack in (DISP, VSBG)}


def packs_for(policy: ComplaintPolicy) -> list[RulePack]:
    """Return the packs `policy` keeps, in a fixed order."""
    return [pack for code, pack in PACKS.items() if policy.has_rule_pack(code)]


def regulatory_deadline(case: Complaint) -> clock.Deadline | None:
    """Return the case's regulatory deadline (the earliest any of its packs sets), or None."""
    deadlines = [
        deadline
        for pack in packs_for(case.policy)
        if (deadline := pack.regulatory_deadline(case)) is not None
    ]
    return min(deadlines, key=lambda deadline: deadline.limit, default=None)


def min_retention_days(policy: ComplaintPolicy) -> int | None:
    """Return the shortest time the packs allow records to be kept after closure, or None."""
    days = [pack.min_retention_days for pack in packs_for(policy) if pack.min_retention_days]
    return max(days, default=None)


def days_at_least(amount: int, unit: str) -> int:
    """Return the fewest calendar days `amount` `unit`s can last (a business day is at least a
    calendar day, and five of them at least a week)."""
    if unit == clock.Unit.HOURS:
        return amount // 24
    if unit == clock.Unit.BUSINESS_DAYS:
        return amount // 5 * 7 + amount % 5
    return amount


def codes_with_clock() -> set[str]:
    """Return the codes of the packs that run a regulatory clock."""
    return {
        code
        for code, pack in PACKS.items()
        if type(pack).regulatory_deadline is not RulePack.regulatory_deadline
    }


def clock_packs() -> list[RulePack]:
    """Return the packs that run a regulatory clock, in a fixed order."""
    codes = codes_with_clock()
    return [pack for code, pack in PACKS.items() if code in codes]


def has_clock(policy: ComplaintPolicy) -> bool:
    """Return whether a pack the policy keeps runs a regulatory clock (DISP does)."""
    return any(
        type(pack).regulatory_deadline is not RulePack.regulatory_deadline
        for pack in packs_for(policy)
    )


def holding_reply_deadline(case: Complaint) -> clock.Deadline | None:
    """Return when the case owes a holding reply if no final response was sent, or None."""
    deadlines = [
        deadline
        for pack in packs_for(case.policy)
        if (deadline := pack.holding_reply_deadline(case)) is not None
    ]
    return min(deadlines, key=lambda deadline: deadline.limit, default=None)


def summary_resolution_until(case: Complaint) -> dt.datetime | None:
    """Return until when a response is a summary resolution communication (DISP 1.5), or None."""
    moments = [
        moment
        for pack in packs_for(case.policy)
        if (moment := pack.summary_resolution_until(case)) is not None
    ]
    return min(moments, default=None)


def longest_holding_date(case: Complaint) -> dt.datetime | None:
    """Return the latest final-response date a holding reply may give, or None (no maximum)."""
    moments = [
        moment
        for pack in packs_for(case.policy)
        if (moment := pack.longest_holding_date(case)) is not None
    ]
    return min(moments, default=None)


def statements_for(policy: ComplaintPolicy, kind: str) -> list[tuple[RulePack, Statement]]:
    """Return the statements the policy's packs require in a message of `kind`."""
    return [
        (pack, statement)
        for pack in packs_for(policy)
        for statement in pack.statements.get(kind, [])
    ]


def settings_missing(policy: ComplaintPolicy) -> dict[str, Any]:
    """Return, per policy field, what the policy's packs need it to say and it does not."""
    missing: dict[str, Any] = {}
    for pack in packs_for(policy):
        missing.update(pack.settings_missing(policy))
    return missing


def context(case: Complaint) -> dict[str, dict[str, Any]]:
    """Return what the packs' blocks in the messages read, per pack code."""
    return {pack.code: pack.context(case) for pack in packs_for(case.policy)}
