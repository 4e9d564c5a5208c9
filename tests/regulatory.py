"""The regulator's promises on a case, made the way a rule pack makes them at receipt."""

from complaints import promise_records
from complaints.choices import PromiseKind
from complaints.rulepacks.disp import DISP


def regulatory_promises_make(case):
    """Give `case` the DISP final response and holding reply, due 8 weeks (or 15 business
    days) from receipt, as the DISP pack makes them; return the final-response promise.

    A policy that keeps the DISP pack made them at receipt already: those are returned.
    """
    made = case.promises.filter(kind=PromiseKind.FINAL_RESPONSE, occurrence=1).first()
    if made is not None:
        return made
    deadline = DISP.regulatory_deadline(case)
    final = promise_records.promise_make(
        case, PromiseKind.FINAL_RESPONSE, deadline, at=case.received_at
    )
    promise_records.promise_make(case, PromiseKind.HOLDING_REPLY, deadline, at=case.received_at)
    promise_records.refresh_cache(case)
    return final
