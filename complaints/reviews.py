"""The independent review of a case, as complaints sees it: a documented hook.

The review itself belongs to escalations, a layer above this one, which complaints may not
import. escalations registers its answer here from its AppConfig.ready; without it
installed a case simply has no review. Services in complaints ask through this function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from complaints.models import Complaint

# Called as end_on_withdrawal(complaint=...). The review's deadline needs no hook: it is one of
# the case's Promise rows (complaints.promise_records).
EndReview = Callable[..., int]

_end_on_withdrawal: EndReview | None = None


def register(*, end_on_withdrawal: EndReview) -> None:
    """Install the review's answer (called once, by escalations' AppConfig.ready)."""
    global _end_on_withdrawal
    _end_on_withdrawal = end_on_withdrawal


def end_on_withdrawal(complaint: Complaint) -> int:
    """End the case's open review undecided (in the withdrawal's transaction); return how many."""
    return 0 if _end_on_withdrawal is None else _end_on_withdrawal(complaint=complaint)
