"""The promises a case carries, as records: made when a step creates them, kept by the message or
action that keeps them, released when no longer owed. The arithmetic is the clock's.

Traps:
- A promise is kept when its message is *sent* (the outbox calls `promises_keep_by_message` on
  the row it marked sent, in the same transaction), so an SMTP outage shows as a late promise,
  never as a kept one.
- The next progress update counts from the day the last message went out (not from "the next
  business day" when it went out after close of business), so updates stay at most the policy's
  interval apart, cycle after cycle.
- The queue reads a cache of the earliest open promise on the complaint row (`next_deadline`,
  `due_soon_at`); every function here that changes promises refreshes it, and nothing else
  writes it.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints import clock, rulepacks
from complaints.choices import (
    CASEWORK_PROMISES,
    REGULATORY_PROMISES,
    DeadlineKind,
    PromiseKind,
    State,
    TargetKind,
)
from complaints.models import Complaint, Promise

if TYPE_CHECKING:
    from notifications.models import Notification

# A progress update is written this long before its limit, so it is sent in time even if the
# sweep (every 5 minutes) or the mail server is a little late.
UPDATE_LEAD = dt.timedelta(hours=2)
# Where the case owes progress updates: while we work on it, not while it waits on the
# complainant's reply to our response, and not once it is closed.
UPDATING_STATES = (State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.ESCALATED)
# Which policy promise sets each kind's clock.
TARGETS = {
    PromiseKind.ACKNOWLEDGEMENT: TargetKind.ACKNOWLEDGE,
    PromiseKind.FIRST_RESPONSE: TargetKind.FIRST_RESPONSE,
    PromiseKind.FULL_RESPONSE: TargetKind.RESOLVE,
    PromiseKind.REVIEW: TargetKind.ESCALATION_REVIEW,
}
# The queue's "next deadline kind" for each promise (the queue's filters and labels use these).
DEADLINE_KINDS: dict[str, str] = {
    PromiseKind.ACKNOWLEDGEMENT: DeadlineKind.ACKNOWLEDGE,
    PromiseKind.FIRST_RESPONSE: DeadlineKind.RESPOND,
    PromiseKind.FULL_RESPONSE: DeadlineKind.RESOLVE,
    PromiseKind.REVIEW: DeadlineKind.REVIEW,
}


def open_promises(case: Complaint) -> QuerySet[Promise]:
    return Promise.objects.filter(complaint=case, kept_at__isnull=True, released_at__isnull=True)


def promise_make(
    case: Complaint,
    kind: str,
    deadline: clock.Deadline | None,
    *,
    at: dt.datetime,
    owner=None,
) -> Promise | None:
    """Record the next occurrence of `kind` with `deadline`; None when the policy makes none."""
    if deadline is None:
        return None
    last = (
        Promise.objects.filter(complaint=case, kind=kind)
        .order_by("-occurrence")
        .values_list("occurrence", flat=True)
        .first()
    )
    return Promise.objects.create(
        complaint=case,
        kind=kind,
        occurrence=(last or 0) + 1,
        aim=deadline.aim,
        limit=deadline.limit,
        due_soon_at=due_soon_moment(case, deadline),
        owner=owner,
        created_at=at,
    )


def due_soon_moment(case: Complaint, deadline: clock.Deadline) -> dt.datetime:
    return clock.due_soon_at(deadline, warning_hours=case.policy.warning_hours)


def promises_on_receipt(case: Complaint) -> list[Promise]:
    """Return what a new complaint is owed (unsaved), and set the queue's cache on it.

    The complaint is not saved yet: the submission stores it with its cache in one INSERT, then
    the promises in another (`promises_save`).
    """
    start, policy = case.received_at, case.policy
    deadlines = {
        PromiseKind.ACKNOWLEDGEMENT: clock.deadline_for(policy, TargetKind.ACKNOWLEDGE, start),
        PromiseKind.FIRST_RESPONSE: clock.deadline_for(policy, TargetKind.FIRST_RESPONSE, start),
        PromiseKind.FULL_RESPONSE: full_response_deadline(case, start),
        PromiseKind.PROGRESS_UPDATE: update_deadline(case, start),
        **regulatory_deadlines(case),
    }
    promises = [
        Promise(
            kind=kind,
            occurrence=1,
            aim=deadline.aim,
            limit=deadline.limit,
            due_soon_at=due_soon_moment(case, deadline),
            created_at=start,
        )
        for kind, deadline in deadlines.items()
        if deadline is not None
    ]
    _set_cache(
        case,
        [promise for promise in promises if promise.kind in CASEWORK_PROMISES],
        [promise for promise in promises if promise.kind == PromiseKind.PROGRESS_UPDATE],
    )
    return promises


def regulatory_deadlines(case: Complaint) -> dict[str, clock.Deadline | None]:
    """Return the regulator's promises a case gets at receipt under its policy's rule packs.

    The final response by the regulatory limit, and the holding reply owed by the same limit
    (with an earlier aim, so the handler is warned and the sweep writes it in time). Both run
    from receipt and never pause; the handler's extensions move neither.
    """
    if not rulepacks.has_clock(case.policy):
        return {}
    return {
        PromiseKind.FINAL_RESPONSE: rulepacks.regulatory_deadline(case),
        PromiseKind.HOLDING_REPLY: rulepacks.holding_reply_deadline(case),
    }


def promises_regulatory_reset(case: Complaint, *, at: dt.datetime) -> list[Promise]:
    """Count the regulator's promises again from the case's receipt moment (call it wherever
    that moment is reset, e.g. a merge that keeps the earliest receipt): the open ones are
    released and made anew; kept ones stay kept."""
    owed = regulatory_deadlines(case)
    if not owed:
        return []
    open_promises(case).filter(kind__in=list(owed)).update(released_at=at)
    made = [promise_make(case, kind, deadline, at=at) for kind, deadline in owed.items()]
    refresh_cache(case)
    return [promise for promise in made if promise is not None]


def answered_by_regulatory_limit() -> Q:
    """Return the filter on Promise rows of the cases answered by the regulator's limit: by a
    final response, or (DISP 1.6.2R(2)) by a holding reply. The HOLDING_REPLY promise keeps
    the regulatory limit (a holding reply moves only the FINAL_RESPONSE promise), and it is
    kept by the holding reply or released when the final response is sent (or the case ends)."""
    return Q(kind=PromiseKind.HOLDING_REPLY) & (
        Q(kept_at__lte=F("limit")) | Q(released_at__lte=F("limit"))
    )


def promises_save(case: Complaint, promises: list[Promise]) -> None:
    for promise in promises:
        promise.complaint = case
    Promise.objects.bulk_create(promises)


def full_response_deadline(case: Complaint, start: dt.datetime) -> clock.Deadline | None:
    if case.is_complex and case.policy.target(TargetKind.COMPLEX_RESOLVE):
        return clock.deadline_for(case.policy, TargetKind.COMPLEX_RESOLVE, start)
    return clock.deadline_for(case.policy, TargetKind.RESOLVE, start)


def update_deadline(case: Complaint, after: dt.datetime) -> clock.Deadline | None:
    """Return when the next progress update is owed after a message sent at `after`."""
    target = case.policy.target(TargetKind.UPDATE_INTERVAL)
    if target is None:
        return None
    limit = case.policy.calendar().add_from_day_of(after, target.amount, target.unit)
    return clock.Deadline(limit=limit, aim=max(after, limit - UPDATE_LEAD))


def _next_update(case: Complaint, *, after: dt.datetime) -> Promise | None:
    if case.state not in UPDATING_STATES:
        return None
    if open_promises(case).filter(kind=PromiseKind.PROGRESS_UPDATE).exists():
        return None
    return promise_make(case, PromiseKind.PROGRESS_UPDATE, update_deadline(case, after), at=after)


def promises_resume_updates(case: Complaint, *, at: dt.datetime) -> None:
    """Owe progress updates again (the case was escalated or reopened)."""
    _next_update(case, after=at)
    refresh_cache(case)


def promises_release(
    case: Complaint, *, at: dt.datetime, kinds: Iterable[str] | None = None
) -> int:
    """Release the open promises of `kinds` (all when None): the case no longer owes them."""
    queryset = open_promises(case)
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    released = queryset.update(released_at=at)
    refresh_cache(case)
    return released


def promise_extend(
    case: Complaint, kind: str, deadline: clock.Deadline, *, reason: str
) -> Promise | None:
    """Move an open promise to a later deadline; its alerts run again for the new one."""
    promise = open_promises(case).filter(kind=kind).order_by("-occurrence").first()
    if promise is None:
        return None
    promise.aim, promise.limit = deadline.aim, deadline.limit
    promise.due_soon_at = due_soon_moment(case, deadline)
    promise.extension_reason = reason
    promise.due_soon_alerted_at = promise.breach_alerted_at = None
    promise.save(
        update_fields=[
            "aim",
            "limit",
            "due_soon_at",
            "extension_reason",
            "due_soon_alerted_at",
            "breach_alerted_at",
        ]
    )
    refresh_cache(case)
    return promise


def promises_receipt_moved(case: Complaint, *, previous: dt.datetime) -> int:
    """Count the promises that run from receipt from `case.received_at`, which moved earlier
    from `previous` (complaints.related: a duplicate received first was merged into the case);
    return how many moved.

    One clock for the merged pair, with these exceptions:
    - an acknowledgement already kept stays as it was: it went out on the clock it had, and
      the duplicate's complainant was acknowledged on theirs;
    - an internal promise a person extended keeps its new date: the complainant was told it;
    - the regulatory promises (REGULATORY_PROMISES) move by as much as the regulatory
      deadline does, extended by a holding reply or not: the regulator's clock runs from the
      first receipt and nothing a person did moves that;
    - released promises are no longer owed and stay; only the first occurrence of a kind
      counts from receipt (a reopened case's second full response counts from the reopening).
    """
    start = case.received_at
    internal: dict[str, clock.Deadline | None] = {
        PromiseKind.ACKNOWLEDGEMENT: clock.deadline_for(case.policy, TargetKind.ACKNOWLEDGE, start),
        PromiseKind.FIRST_RESPONSE: clock.deadline_for(
            case.policy, TargetKind.FIRST_RESPONSE, start
        ),
        PromiseKind.FULL_RESPONSE: full_response_deadline(case, start),
    }
    shift = _regulatory_shift(case, previous=previous)
    moved = []
    for promise in Promise.objects.filter(
        complaint=case,
        occurrence=1,
        released_at__isnull=True,
        kind__in=[*internal, *REGULATORY_PROMISES],
    ):
        if promise.kind in REGULATORY_PROMISES:
            if not shift:
                continue
            promise.limit -= shift
            promise.aim = promise.aim - shift if promise.aim else None
            promise.due_soon_at -= shift
        else:
            deadline = internal[promise.kind]
            kept_ack = promise.kind == PromiseKind.ACKNOWLEDGEMENT and promise.kept_at
            if deadline is None or kept_ack or promise.extension_reason:
                continue
            promise.aim, promise.limit = deadline.aim, deadline.limit
            promise.due_soon_at = due_soon_moment(case, deadline)
        moved.append(promise)
    Promise.objects.bulk_update(moved, ["aim", "limit", "due_soon_at"])
    refresh_cache(case)
    return len(moved)


def _regulatory_shift(case: Complaint, *, previous: dt.datetime) -> dt.timedelta | None:
    """Return how much earlier the regulatory deadline falls from the new receipt than from
    `previous` (None when no rule pack sets one)."""
    before = copy.copy(case)
    before.received_at = previous
    old, new = rulepacks.regulatory_deadline(before), rulepacks.regulatory_deadline(case)
    if old is None or new is None:
        return None
    return old.limit - new.limit


def promise_set_owner(case: Complaint, kind: str, owner) -> int:
    """Make `owner` (a reviewer) the one who owes the open promise of `kind`."""
    return open_promises(case).filter(kind=kind).update(owner=owner)


def promises_kept_by(case: Complaint, kinds: Iterable[str]) -> list[int]:
    """Return the ids of the open promises of `kinds`: a message about to go out will keep them."""
    return list(open_promises(case).filter(kind__in=list(kinds)).values_list("pk", flat=True))


def promises_keep(case: Complaint, kinds: Iterable[str], *, at: dt.datetime, by: str) -> int:
    """Mark the open promises of `kinds` kept by an action (not a message) at `at`."""
    kept = open_promises(case).filter(kind__in=list(kinds)).update(kept_at=at, kept_by=by)
    refresh_cache(case)
    return kept


def promises_keep_by_message(notification: Notification) -> int:
    """Keep the promises a sent message was written to keep; owe the next progress update.

    The outbox calls this in the transaction that marks the message sent (email) or posted
    (letter); `notification.context["keeps"]` names the promise rows, fixed when it was written.
    """
    ids = notification.context.get("keeps") or []
    if not ids or notification.sent_at is None:
        return 0
    case = (
        Complaint.objects.select_for_update()
        .select_related("policy")
        .get(pk=notification.complaint_id)
    )
    by = f"{notification.kind}:{notification.pk}"
    # Released or not: a promise still owed when its message was written is kept by it, even if
    # the case closed before the mail server took the message.
    keeping = Promise.objects.filter(complaint=case, pk__in=ids, kept_at__isnull=True)
    # One read for both: the update's limit, and whether a final response is among them.
    rows = list(keeping.order_by("pk").values_list("kind", "limit"))
    update_limit = next((lim for kind, lim in rows if kind == PromiseKind.PROGRESS_UPDATE), None)
    final = any(kind == PromiseKind.FINAL_RESPONSE for kind, _lim in rows)
    kept = keeping.update(kept_at=notification.sent_at, kept_by=by)
    if final:
        # A final response sent before the holding reply makes the holding reply owed no more.
        open_promises(case).filter(kind=PromiseKind.HOLDING_REPLY).update(
            released_at=notification.sent_at
        )
    if kept:
        _next_update(case, after=_next_update_from(notification, update_limit))
    refresh_cache(case)
    return kept


def _next_update_from(notification: Notification, update_limit: dt.datetime | None) -> dt.datetime:
    """Return what the next update counts from: the message, or the limit of the update it kept.

    A scheduled update goes out UPDATE_LEAD before its limit; counting the next one from the
    moment it went out would move every later update that much earlier, cycle after cycle (and
    round the clock with calendar days). Counting from its limit keeps them exactly the interval
    apart at the same hour. Any other message restarts the clock from when it went out.
    """
    sent_at = notification.sent_at
    assert sent_at is not None
    scheduled = notification.kind == "progress_update"
    if scheduled and update_limit is not None and sent_at <= update_limit:
        return update_limit
    return sent_at


def refresh_cache(case: Complaint) -> None:
    """Store the earliest open casework promise on the complaint row, for the queue's index."""
    open_now = list(open_promises(case).order_by("limit", "pk"))
    _set_cache(
        case,
        [promise for promise in open_now if promise.kind in CASEWORK_PROMISES],
        [promise for promise in open_now if promise.kind == PromiseKind.PROGRESS_UPDATE],
    )
    # The cache is not in the case's history (see Complaint.history): a plain update is right.
    Complaint.objects.filter(pk=case.pk).update(**{name: getattr(case, name) for name in CACHE})


CACHE = (
    "next_deadline",
    "next_deadline_kind",
    "due_soon_at",
    "next_update_due",
    "regulatory_deadline",
    "regulatory_due_soon_at",
)


def _set_cache(case: Complaint, casework: list[Promise], updates: list[Promise]) -> None:
    regulatory = [promise for promise in casework if promise.kind in REGULATORY_PROMISES]
    case.regulatory_deadline = min((promise.limit for promise in regulatory), default=None)
    case.regulatory_due_soon_at = min((promise.due_soon_at for promise in regulatory), default=None)
    # A paused target is neither due soon nor overdue: the queue's deadline skips it.
    casework = [promise for promise in casework if promise.paused_at is None]
    first = min(casework, key=lambda promise: promise.limit, default=None)
    case.next_deadline = first.limit if first else None
    case.next_deadline_kind = DEADLINE_KINDS.get(first.kind, "") if first else ""
    case.due_soon_at = min((promise.due_soon_at for promise in casework), default=None)
    case.next_update_due = min((promise.limit for promise in updates), default=None)


# The two clocks. Internal targets stop while we wait on the complainant (complaints.pauses);
# the regulator's promises never do, and progress updates keep going so the complainant still
# hears from us. Only a regulator's suspension moves the regulator's promises.


def promises_pause(case: Complaint, kinds: Iterable[str], *, at: dt.datetime) -> int:
    """Stop the open promises of `kinds` at `at`: no alert, no due soon, no overdue."""
    kinds = list(kinds)
    if set(kinds) & set(REGULATORY_PROMISES):
        raise ValueError("The regulator's clock never pauses.")
    paused = open_promises(case).filter(kind__in=kinds, paused_at__isnull=True)
    count = paused.update(paused_at=at)
    refresh_cache(case)
    return count


@dataclass(frozen=True)
class Moved:
    kind: str
    previous: dt.datetime
    new: dt.datetime


def promises_resume(case: Complaint, *, at: dt.datetime, reason: str) -> list[Moved]:
    """Start the paused promises again at `at`, each moved later by the business time it stood
    still (the clock's arithmetic, in the unit of the promise's target)."""
    calendar, moved = case.policy.calendar(), []
    for promise in Promise.objects.filter(complaint=case, paused_at__isnull=False):
        paused_from = promise.paused_at
        if promise.is_open and paused_from is not None:
            unit = _unit(case, promise.kind)

            def resumed(moment: dt.datetime, paused_from=paused_from, unit=unit) -> dt.datetime:
                return calendar.resume(moment, paused_from=paused_from, paused_until=at, unit=unit)

            previous = promise.limit
            promise.limit = resumed(promise.limit)
            promise.aim = promise.aim and min(resumed(promise.aim), promise.limit)
            promise.due_soon_at = due_soon_moment(
                case, clock.Deadline(limit=promise.limit, aim=promise.aim)
            )
            if promise.limit != previous:
                promise.extension_reason = reason
                promise.due_soon_alerted_at = promise.breach_alerted_at = None
                moved.append(Moved(promise.kind, previous, promise.limit))
        promise.paused_at = None
        promise.save(
            update_fields=[
                "aim",
                "limit",
                "due_soon_at",
                "paused_at",
                "extension_reason",
                "due_soon_alerted_at",
                "breach_alerted_at",
            ]
        )
    refresh_cache(case)
    return moved


def _unit(case: Complaint, kind: str) -> str:
    """Return the unit the promise's target counts in (business days where none says)."""
    target_kind = TARGETS.get(PromiseKind(kind))
    if kind == PromiseKind.FULL_RESPONSE and case.is_complex:
        target = case.policy.target(TargetKind.COMPLEX_RESOLVE) or case.policy.target(
            TargetKind.RESOLVE
        )
    else:
        target = case.policy.target(target_kind) if target_kind else None
    return target.unit if target else clock.Unit.BUSINESS_DAYS


def promises_shift(
    case: Complaint,
    kinds: Iterable[str],
    shift: Callable[[Promise], dt.timedelta],
    *,
    reason: str,
) -> list[Moved]:
    """Move each open promise of `kinds` by `shift(promise)`; their alerts run again."""
    moved = []
    for promise in open_promises(case).filter(kind__in=list(kinds)).order_by("limit", "pk"):
        delta = shift(promise)
        if not delta:
            continue
        previous = promise.limit
        promise.limit += delta
        promise.aim = promise.aim and promise.aim + delta
        promise.due_soon_at = due_soon_moment(
            case, clock.Deadline(limit=promise.limit, aim=promise.aim)
        )
        promise.extension_reason = reason
        promise.due_soon_alerted_at = promise.breach_alerted_at = None
        promise.save(
            update_fields=[
                "aim",
                "limit",
                "due_soon_at",
                "extension_reason",
                "due_soon_alerted_at",
                "breach_alerted_at",
            ]
        )
        moved.append(Moved(promise.kind, previous, promise.limit))
    refresh_cache(case)
    return moved


# What each promise gives the complainant, as a progress update names it.
WHAT: dict[str, Any] = {
    PromiseKind.ACKNOWLEDGEMENT: _("an acknowledgement of your complaint"),
    PromiseKind.FIRST_RESPONSE: _("a first response"),
    PromiseKind.FULL_RESPONSE: _("our full written response"),
    PromiseKind.REVIEW: _("the outcome of the review you asked for"),
    PromiseKind.HOLDING_REPLY: _("a letter explaining why we need more time"),
    PromiseKind.FINAL_RESPONSE: _("our final response"),
}


@dataclass(frozen=True)
class OwedDate:
    what: Any
    limit: dt.datetime
    extension_reason: str


def owed_dates(case: Complaint, *, at: dt.datetime) -> dict[str, Any]:
    """Return what a progress update states as of `at`: the next date we owe, the dates we
    missed (each named, so the update says so), and when we will write again at the latest.

    Only casework promises count as dates owed: the update itself keeps the current update
    promise, and the next one is owed from when it goes out.
    """
    promises = [
        OwedDate(WHAT[promise.kind], promise.limit, promise.extension_reason)
        for promise in open_promises(case)
        .filter(kind__in=CASEWORK_PROMISES, paused_at__isnull=True)
        .order_by("limit")
    ]
    missed = [promise for promise in promises if promise.limit < at]
    ahead = [promise for promise in promises if promise.limit >= at]
    interval = update_deadline(case, at) if case.state in UPDATING_STATES else None
    return {
        "next_promise": ahead[0] if ahead else None,
        "missed_promises": missed,
        "next_update": interval,
    }
