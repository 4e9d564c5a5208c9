"""What a rule pack is: a regulator's clock, its required statements and its record keeping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complaints import clock

if TYPE_CHECKING:
    from complaints.models import Complaint


class RulePack:
    """A regulator's complaint rules; subclasses state what their regulator requires."""

    code: str = ""
    name: Any = ""
    # Records are kept at least this many days after closure (retention refuses less).
    min_retention_days: int | None = None

    def regulatory_deadline(self, case: Complaint) -> clock.Deadline | None:
        """Return when the regulator requires the final response, counted from receipt."""
        return None

    def __repr__(self) -> str:
        return f"<RulePack {self.code}>"
