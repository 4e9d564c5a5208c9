"""Regulators' complaint rules that a policy turns on: the UK FCA's DISP and Germany's VSBG.

A pack adds to the policy's own promises what the regulator requires: a clock that runs from
receipt and never pauses (the regulatory deadline), the statements some messages must carry, and
a minimum time records are kept. `policy.rule_packs` names the packs a policy keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaints import clock
from complaints.rulepacks.base import RulePack
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
