"""The redress ledger: offers, acceptances and payments per case, with four-eyes approval.

An offer or a payment above its recorder's approval limit (complaints.models.ApprovalLimit, per
staff group and currency) waits for a second member of staff whose own limit covers it; the
recorder never approves their own entry. Until approved, an offer is not sent (a response
carrying it waits, held on the offer, and goes out on approval) and a payment does not count as
paid. `Complaint.redress_amount` stays as a cache of the amount the last response told the
complainant; the reports read approved payments from here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import casework, clock
from complaints.actors import Actor
from complaints.choices import (
    NEEDS_APPROVAL,
    ActorKind,
    ApprovalStatus,
    RedressEntryType,
    RedressKind,
    Remedy,
    State,
)
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import ApprovalLimit, Complaint, RedressEntry

APPROVE = "complaints.approve_redressentry"
CENT = Decimal("0.01")


class ResponseHeld(ComplaintError):
    """The response was not sent: its offer waits for a second approver (it is recorded)."""

    def __init__(self, *, entry: RedressEntry, limit: Decimal | None) -> None:
        self.entry = entry
        super().__init__(
            _(
                "The response on %(reference)s waits: its offer of %(amount)s %(currency)s is "
                "above your approval limit (%(limit)s %(currency)s). A colleague whose limit "
                "covers it must approve it under Redress on the case; the response goes to the "
                "complainant then."
            )
            % {
                "reference": entry.complaint,
                "amount": entry.amount,
                "currency": entry.currency,
                "limit": limit if limit is not None else "—",
            }
        )


def approval_limit(*, user, currency: str) -> Decimal | None:
    """Return the most `user` records in `currency` without a second approver; None: no limit.

    The highest limit of their groups; zero where the currency has limits but none of their
    groups has one. A currency without any limit, and a superuser, have none.
    """
    if user is None:
        return Decimal(0)
    if user.is_superuser:
        return None
    limits = list(ApprovalLimit.objects.filter(currency=currency).values_list("group_id", "amount"))
    if not limits:
        return None
    groups = set(user.groups.values_list("pk", flat=True))
    own = [amount for group, amount in limits if group in groups]
    return max(own) if own else Decimal(0)


def within(amount: Decimal, limit: Decimal | None) -> bool:
    return limit is None or amount <= limit


def approval_refusal(entry: RedressEntry, user) -> str:
    """Return why `user` may not approve or reject `entry`, or "" when they may."""
    if entry.status != ApprovalStatus.AWAITING:
        return _("This entry is not awaiting approval: it is %(status)s.") % {
            "status": entry.get_status_display()
        }
    if user is None or not (user.is_active and user.is_staff):
        return _("Only staff approve redress.")
    if entry.recorded_by_id == user.pk:
        return _("You recorded this entry: a second member of staff must approve it.")
    if not user.has_perm(APPROVE):
        return _("Only supervisors approve redress above a colleague's limit.")
    if not Complaint.objects.visible_to(user).filter(pk=entry.complaint_id).exists():
        return _("You may not see this case.")
    limit = approval_limit(user=user, currency=entry.currency)
    if not within(entry.amount, limit):
        return _("%(amount)s %(currency)s is above your own approval limit (%(limit)s).") % {
            "amount": entry.amount,
            "currency": entry.currency,
            "limit": limit,
        }
    return ""


def kind_for(remedies: list[str] | tuple[str, ...]) -> str:
    """Return the kind of redress a response's remedies imply."""
    if Remedy.REFUND in remedies:
        return RedressKind.REFUND
    if Remedy.ACCOUNT_CREDIT in remedies:
        return RedressKind.ACCOUNT_CREDIT
    return RedressKind.COMPENSATION


def redress_record(
    *,
    complaint: Complaint,
    actor: Actor,
    entry_type: str,
    kind: str,
    amount: Decimal,
    currency: str = "",
    on: dt.date | None = None,
    note: str = "",
    offer: RedressEntry | None = None,
) -> RedressEntry:
    """Record an offer, an acceptance or a payment on the case; approved at once if within
    the recorder's limit, else awaiting a second approver."""
    if actor.kind != ActorKind.STAFF or actor.user is None:
        raise NotPermitted(_("Only staff can do this."))
    if entry_type not in RedressEntryType.values:
        raise ComplaintError(_("Choose an offer, an acceptance or a payment."))
    if kind not in RedressKind.values:
        raise ComplaintError(_("Choose the kind of redress."))
    if amount is None or amount <= 0:
        raise ComplaintError(_("The amount must be more than zero."))
    if offer is not None and (
        offer.complaint_id != complaint.pk or offer.entry_type != RedressEntryType.OFFER
    ):
        raise ComplaintError(_("That offer is not on this case."))
    with transaction.atomic():
        case = casework.lock(complaint)
        return _record(
            case,
            actor,
            entry_type=entry_type,
            kind=kind,
            amount=amount,
            currency=currency,
            on=on,
            note=note,
            offer=offer,
        )


def _record(
    case: Complaint,
    actor: Actor,
    *,
    entry_type: str,
    kind: str,
    amount: Decimal,
    currency: str,
    on: dt.date | None = None,
    note: str = "",
    offer: RedressEntry | None = None,
    held_response: dict[str, Any] | None = None,
    in_response: bool = False,
) -> RedressEntry:
    now = clock.now()
    currency = (currency or settings.REDRESS_DEFAULT_CURRENCY).upper()
    amount = Decimal(amount).quantize(CENT)
    approved = entry_type not in NEEDS_APPROVAL or within(
        amount, approval_limit(user=actor.user, currency=currency)
    )
    entry = RedressEntry.objects.create(
        complaint=case,
        entry_type=entry_type,
        kind=kind,
        amount=amount,
        currency=currency,
        on=on or now.astimezone(case.policy.calendar().tz).date(),
        note=note.strip(),
        offer=offer,
        recorded_by=actor.user,
        recorded_by_kind=actor.kind,
        status=ApprovalStatus.APPROVED if approved else ApprovalStatus.AWAITING,
        decided_at=now if approved else None,
        held_response=held_response if (held_response and not approved) else {},
        created_at=now,
    )
    # An offer sent at once with its response is on the timeline as the response.
    if not (in_response and approved):
        casework.record_event(
            case,
            # Redress recorded during a review is the review's, not casework that would make
            # the reviewer "involved" in the first investigation (escalations.selectors).
            "review_redress_recorded" if case.state == State.ESCALATED else "redress_recorded",
            actor,
            from_state=case.state,
            note=describe(entry),
            public=False,
        )
    return entry


def describe(entry: RedressEntry) -> str:
    text = _("%(entry)s: %(amount)s %(currency)s, %(kind)s") % {
        "entry": entry.get_entry_type_display(),
        "amount": entry.amount,
        "currency": entry.currency,
        "kind": entry.get_kind_display(),
    }
    if entry.is_awaiting:
        text += " (" + _("awaiting approval") + ")"
    return text


def redress_approve(*, entry: RedressEntry, actor: Actor) -> RedressEntry:
    """Approve a colleague's entry within your own limit; send the response it held, if any."""
    with transaction.atomic():
        locked = _lock(entry)
        refusal = approval_refusal(locked, actor.user)
        if refusal:
            raise NotPermitted(refusal)
        locked.status, locked.approved_by = ApprovalStatus.APPROVED, actor.user
        locked.decided_at = clock.now()
        held, locked.held_response = locked.held_response, {}
        locked.save(update_fields=["status", "approved_by", "decided_at", "held_response"])
        case = locked.complaint
        casework.record_event(
            case,
            "redress_approved",
            actor,
            from_state=case.state,
            note=describe(locked),
            public=False,
        )
        if held and case.state == State.INVESTIGATING and locked.recorded_by is not None:
            # The response is the handler's own, sent as they wrote it; services imports this
            # module, so the import is here.
            from complaints.services import complaint_respond

            complaint_respond(
                complaint=case,
                actor=Actor.staff(locked.recorded_by),
                redress_amount=locked.amount,
                redress_currency=locked.currency,
                redress_kind=locked.kind,
                **held,
            )
    return locked


def redress_reject(*, entry: RedressEntry, actor: Actor, reason: str) -> RedressEntry:
    """Reject a colleague's entry: it is never sent nor counted; a held response is dropped."""
    if not (reason or "").strip():
        raise ComplaintError(_("Say why the entry is rejected."))
    with transaction.atomic():
        locked = _lock(entry)
        refusal = approval_refusal(locked, actor.user)
        if refusal:
            raise NotPermitted(refusal)
        locked.status, locked.approved_by = ApprovalStatus.REJECTED, actor.user
        locked.decided_at, locked.rejection_reason = clock.now(), reason.strip()
        locked.held_response = {}
        locked.save(
            update_fields=[
                "status",
                "approved_by",
                "decided_at",
                "rejection_reason",
                "held_response",
            ]
        )
        case = locked.complaint
        casework.record_event(
            case,
            "redress_rejected",
            actor,
            from_state=case.state,
            note=f"{describe(locked)}: {locked.rejection_reason}",
            public=False,
        )
    return locked


def _lock(entry: RedressEntry) -> RedressEntry:
    return (
        RedressEntry.objects.select_for_update(of=("self",))
        .select_related("complaint__policy", "recorded_by")
        .get(pk=entry.pk)
    )


def offer_for_response(
    case: Complaint,
    actor: Actor,
    *,
    amount: Decimal,
    currency: str,
    kind: str,
    held_response: dict[str, Any] | None,
) -> RedressEntry:
    """Return the offer a response (or a final response) tells the complainant of.

    An approved offer of that amount not yet sent is used (one a colleague approved, or the
    one a held response waited on); else a new offer is recorded, awaiting approval above the
    actor's limit (with `held_response` kept on it). Called with the case locked.
    """
    currency = (currency or settings.REDRESS_DEFAULT_CURRENCY).upper()
    amount = Decimal(amount).quantize(CENT)
    offers = list(
        RedressEntry.objects.filter(
            complaint=case, entry_type=RedressEntryType.OFFER, communicated_at__isnull=True
        ).exclude(status=ApprovalStatus.REJECTED)
    )
    for offer in offers:
        if offer.status == ApprovalStatus.APPROVED and (offer.amount, offer.currency) == (
            amount,
            currency,
        ):
            return offer
    waiting = next((offer for offer in offers if offer.is_awaiting and offer.held_response), None)
    if waiting is not None:
        raise ComplaintError(
            _(
                "A response on %(reference)s already waits for the approval of its offer of "
                "%(amount)s %(currency)s: it goes out once approved (after a rejection, write "
                "it again)."
            )
            % {"reference": case, "amount": waiting.amount, "currency": waiting.currency}
        )
    return _record(
        case,
        actor,
        entry_type=RedressEntryType.OFFER,
        kind=kind,
        amount=amount,
        currency=currency,
        held_response=held_response,
        in_response=True,
    )


def offer_communicate(offer: RedressEntry, *, at: dt.datetime) -> None:
    RedressEntry.objects.filter(pk=offer.pk).update(communicated_at=at)
    offer.communicated_at = at


def offers_accept(case: Complaint, actor: Actor, *, at: dt.datetime) -> list[RedressEntry]:
    """Record the complainant's acceptance of every offer the accepted response told them of."""
    accepted = RedressEntry.objects.filter(
        complaint=case, entry_type=RedressEntryType.ACCEPTANCE
    ).values("offer_id")
    offers = RedressEntry.objects.filter(
        complaint=case,
        entry_type=RedressEntryType.OFFER,
        status=ApprovalStatus.APPROVED,
        communicated_at__isnull=False,
    ).exclude(pk__in=accepted)
    zone = case.policy.calendar().tz
    return RedressEntry.objects.bulk_create(
        RedressEntry(
            complaint=case,
            entry_type=RedressEntryType.ACCEPTANCE,
            kind=offer.kind,
            amount=offer.amount,
            currency=offer.currency,
            on=at.astimezone(zone).date(),
            offer=offer,
            recorded_by_kind=actor.kind,
            status=ApprovalStatus.APPROVED,
            decided_at=at,
            created_at=at,
        )
        for offer in offers
    )


def ledger_erase(*, complaint_id: int) -> None:
    """Blank the free texts of a case's ledger and of its history (retention)."""
    blanks = {"note": "", "rejection_reason": ""}
    RedressEntry.objects.filter(complaint_id=complaint_id).update(held_response={}, **blanks)
    RedressEntry.history.filter(complaint_id=complaint_id).update(**blanks)
