"""What a rule pack is: a regulator's clock, its required statements and its record keeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from complaints import clock

if TYPE_CHECKING:
    from complaints.models import Complaint, ComplaintPolicy

# What a statement expects to read in the message, given the message's template context: the
# texts that must all appear in it, or None when a setting or an answer it needs is missing.
Expect = Callable[[dict[str, Any]], list[str] | None]


@dataclass(frozen=True)
class Statement:
    """One element a regulator requires in a message: named for the list of what is missing."""

    code: str
    label: Any
    expect: Expect


class RulePack:
    """A regulator's complaint rules; subclasses state what their regulator requires."""

    code: str = ""
    name: Any = ""
    # Who sets the clock, as the queue names a deadline of theirs ("FCA"): a proper name, not
    # translated.
    regulator: str = ""
    # Records are kept at least this many days after closure (retention refuses less).
    min_retention_days: int | None = None
    # Per message kind (notifications.models.Notification.Kind), the statements it must carry.
    statements: ClassVar[dict[str, list[Statement]]] = {}

    def regulatory_deadline(self, case: Complaint) -> clock.Deadline | None:
        """Return when the regulator requires the final response, counted from receipt."""
        return None

    def holding_reply_deadline(self, case: Complaint) -> clock.Deadline | None:
        """Return when a holding reply is owed (if no final response was sent by then)."""
        return None

    def summary_resolution_until(self, case: Complaint) -> dt.datetime | None:
        """Return until when a response counts as a summary resolution, or None."""
        return None

    def longest_holding_date(self, case: Complaint) -> dt.datetime | None:
        """Return the latest final-response date a holding reply may state, or None (any)."""
        return None

    def settings_missing(self, policy: ComplaintPolicy) -> dict[str, Any]:
        """Return, per policy field, what the pack needs the policy to say and it does not."""
        return {}

    def public_promises(self, policy: ComplaintPolicy) -> list[Any]:
        """Return what the pack promises complainants, for the policy page."""
        return []

    def context(self, case: Complaint) -> dict[str, Any]:
        """Return what the pack's blocks in the messages need (under `packs.<code>`)."""
        return {}

    def __repr__(self) -> str:
        return f"<RulePack {self.code}>"
