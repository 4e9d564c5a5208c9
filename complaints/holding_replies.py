"""The holding reply a rule pack owes (DISP 1.6.2R(2)): why we are not ready, when we expect to
send the final response, and that the complainant may refer to the ombudsman now.

A handler writes it from the case page; otherwise the sweep (complaints.jobs.holding_replies_send)
writes it at the promise's aim, so it is always sent before the regulatory limit. Either way it
goes through the final-response check.

Traps:
- Under DISP 1.6.2AR (payment services) the holding reply moves the FINAL_RESPONSE promise to the
  date it states, never beyond 35 business days from receipt. Under the eight-week rule the
  regulator's limit is met by the holding reply (the HOLDING_REPLY promise keeps that limit, so
  reports can tell "answered in time by a holding reply"); the FINAL_RESPONSE promise then runs
  to the date we stated, with the reasons.
- One holding reply per promise: its dedupe key names the HOLDING_REPLY promise, and a second
  attempt (the handler and the sweep at once) is refused rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import casework, clock, outbox, rulepacks
from complaints import promise_records as promises
from complaints.actors import SYSTEM, Actor
from complaints.choices import ActorKind, PromiseKind, State
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import Complaint, Promise
from notifications.models import Notification
from notifications.services import dedupe_key

# Where a holding reply can still be owed: the final response has not been written.
OWING_STATES = (State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.ESCALATED)
STANDARD_REASONS = gettext_lazy(
    "We have not yet finished looking into your complaint: we want to be sure we have "
    "considered everything before we give you our final response."
)


def holding_reply_key(case: Complaint, promise: Promise) -> str:
    return dedupe_key(
        outbox.source(case), Notification.Kind.HOLDING_REPLY, outbox.for_promise(promise)
    )


def owed_holding_reply(case: Complaint) -> Promise | None:
    return (
        promises.open_promises(case)
        .filter(kind=PromiseKind.HOLDING_REPLY)
        .order_by("-occurrence")
        .first()
    )


def complaint_send_holding_reply(
    *, complaint: Complaint, actor: Actor, reasons: str, expected_by: dt.datetime
) -> Notification:
    """Write the holding reply: the reasons, the date we expect to respond by, the referral
    right; it keeps the HOLDING_REPLY promise when sent."""
    if actor.kind != ActorKind.STAFF or actor.user is None:
        raise NotPermitted(_("Only staff can do this."))
    if not (reasons or "").strip():
        raise ComplaintError(_("Say why we are not yet in a position to send the final response."))
    with transaction.atomic():
        case = casework.lock(complaint)
        return holding_reply_write(case, actor, reasons=reasons.strip(), expected_by=expected_by)


def holding_reply_write(
    case: Complaint, actor: Actor, *, reasons: str, expected_by: dt.datetime
) -> Notification:
    """Write the holding reply on the locked `case` (the service's and the sweep's part)."""
    now = clock.now()
    promise = owed_holding_reply(case) if case.state in OWING_STATES else None
    written = case.notifications.filter(kind=Notification.Kind.HOLDING_REPLY).exists()
    if written and (promise is None or promise.occurrence == 1):
        raise ComplaintError(
            _("The holding reply on %(reference)s was already written.") % {"reference": case}
        )
    if promise is None:
        raise ComplaintError(
            _(
                "Complaint %(reference)s owes no holding reply: its final response was written, "
                "or its policy keeps no regulator's clock."
            )
            % {"reference": case}
        )
    if Notification.objects.filter(dedupe_key=holding_reply_key(case, promise)).exists():
        raise ComplaintError(
            _("The holding reply on %(reference)s was already written.") % {"reference": case}
        )
    if expected_by <= now:
        raise ComplaintError(_("The date we expect to send the final response must be ahead."))
    longest = rulepacks.longest_holding_date(case)
    if longest is not None and expected_by > longest:
        raise ComplaintError(
            _(
                "A payment-services complaint must have its final response within 35 business "
                "days of receipt (DISP 1.6.2A): give a date no later than %(date)s."
            )
            % {
                "date": date_format(
                    localtime(longest, case.policy.calendar().tz), "DATETIME_FORMAT"
                )
            }
        )
    before = casework.snapshot(case)
    case.last_contact_at = now
    casework.save_changes(case, before)
    casework.record_event(case, "holding_reply", actor, from_state=case.state, note=reasons)
    notification = outbox.notify_complainant_checked(
        case,
        Notification.Kind.HOLDING_REPLY,
        occurrence=outbox.for_promise(promise),
        context={
            "reasons": reasons,
            "expected_by": expected_by.isoformat(),
            "regulatory_limit": promise.limit.isoformat(),
        },
    )
    final = promises.open_promises(case).filter(kind=PromiseKind.FINAL_RESPONSE).first()
    if final is not None and expected_by > final.limit:
        promises.promise_extend(
            case, PromiseKind.FINAL_RESPONSE, clock.Deadline(limit=expected_by), reason=reasons
        )
    assert notification is not None  # a holding reply is a letter where there is no email
    return notification


def automatic_reasons(case: Complaint) -> str:
    """Return the reasons the sweep gives: the latest extension's, or a plain standard one."""
    extension = case.extensions.order_by("-created_at", "-pk").first()
    return extension.reason if extension and extension.reason else str(STANDARD_REASONS)


def automatic_date(case: Complaint) -> dt.datetime:
    """Return the date the sweep states: the regulatory maximum for payment services, else the
    full-response promise's limit (or the regulator's, when that is later or passed)."""
    longest = rulepacks.longest_holding_date(case)
    if longest is not None:
        return longest
    limits = dict(
        promises.open_promises(case)
        .filter(kind__in=[PromiseKind.FULL_RESPONSE, PromiseKind.FINAL_RESPONSE])
        .values_list("kind", "limit")
    )
    now = clock.now()
    for kind in (PromiseKind.FULL_RESPONSE, PromiseKind.FINAL_RESPONSE):
        if limits.get(kind) is not None and limits[kind] > now:
            return limits[kind]
    # Both passed (a holding reply written late): a fortnight on, which the handler can better.
    return now + dt.timedelta(days=14)


def holding_reply_automatic(case: Complaint) -> Notification:
    """Write the holding reply nobody wrote, on the locked `case` (the sweep's step)."""
    with translation.override(case.language):
        reasons = automatic_reasons(case)
    return holding_reply_write(case, SYSTEM, reasons=reasons, expected_by=automatic_date(case))
