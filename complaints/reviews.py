"""The independent review of a case, as complaints sees it: a documented hook.

The review itself belongs to escalations, a layer above this one, which complaints may not
import. escalations registers its two answers here from its AppConfig.ready; without it
installed a case simply has no review. Services in complaints ask through these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from complaints.clock import Deadline
    from complaints.models import Complaint

# Called as open_deadline(complaint) and end_on_withdrawal(complaint=...).
OpenDeadline = Callable[["Complaint"], "Deadline | None"]
EndReview = Callable[..., int]

_open_deadline: OpenDeadline | None = None
_end_on_withdrawal: EndReview | None = None


def register(*, open_deadline: OpenDeadline, end_on_withdrawal: EndReview) -> None:
    """Install the review's answers (called once, by escalations' AppConfig.ready)."""
    global _open_deadline, _end_on_withdrawal
    _open_deadline, _end_on_withdrawal = open_deadline, end_on_withdrawal


def open_deadline(complaint: Complaint) -> Deadline | None:
    """Return the deadline of the case's review still awaiting a decision, if there is one."""
    return None if _open_deadline is None else _open_deadline(complaint)


def end_on_withdrawal(complaint: Complaint) -> int:
    """End the case's open review undecided (in the withdrawal's transaction); return how many."""
    return 0 if _end_on_withdrawal is None else _end_on_withdrawal(complaint=complaint)
