"""Every message about a case, as the outbox row it becomes: to whom, in which language, which
promises it keeps, and its dedupe key (one occurrence of one event or promise, see
notifications.services.dedupe_key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from complaints import clock, promise_records, vulnerability
from complaints.choices import PromiseKind
from complaints.models import Complaint, ComplaintEvent, Promise
from complaints.roles import SUPERVISORS
from complaints.rulepacks.check import final_response_check
from notifications.models import Notification, StaffDigestItem
from notifications.preferences import Delivery, delivery_for
from notifications.services import (
    NOT_ON_PAPER,
    address_undeliverable,
    dedupe_key,
    notifications_enqueue,
)

K = Notification.Kind
P = PromiseKind
# What a message to the complainant keeps when it is sent. Any message from us is a progress
# update; one that a person wrote after the acknowledgement is the first response as well.
KEEPS: dict[str, tuple[str, ...]] = {
    K.ACKNOWLEDGEMENT: (P.ACKNOWLEDGEMENT, P.PROGRESS_UPDATE),
    K.MESSAGE: (P.FIRST_RESPONSE, P.PROGRESS_UPDATE),
    K.INFORMATION_REQUEST: (P.FIRST_RESPONSE, P.PROGRESS_UPDATE),
    K.DEADLINE_EXTENDED: (P.PROGRESS_UPDATE,),
    K.PROGRESS_UPDATE: (P.PROGRESS_UPDATE,),
    K.ESCALATION_RECEIVED: (P.PROGRESS_UPDATE,),
    # Under a rule pack with a clock (DISP) the handler's response is the firm's final response,
    # and so is a summary resolution communication; elsewhere no FINAL_RESPONSE promise exists.
    K.RESPONSE: (P.FIRST_RESPONSE, P.FULL_RESPONSE, P.FINAL_RESPONSE, P.PROGRESS_UPDATE),
    K.SUMMARY_RESOLUTION: (P.FIRST_RESPONSE, P.FULL_RESPONSE, P.FINAL_RESPONSE, P.PROGRESS_UPDATE),
    K.FINAL_RESPONSE: (P.REVIEW, P.FINAL_RESPONSE, P.PROGRESS_UPDATE),
    K.HOLDING_REPLY: (P.HOLDING_REPLY, P.PROGRESS_UPDATE),
}
# After these are sent, the complainant is asked to rate the process, once per case.
SURVEY_AFTER = (K.RESOLVED, K.FINAL_RESPONSE)


def source(case: Complaint | int) -> str:
    return f"complaint-{case if isinstance(case, int) else case.pk}"


def for_event(event: ComplaintEvent) -> str:
    """Return the occurrence a message caused by `event` (a transition, an assignment) serves."""
    return f"event-{event.pk}"


def for_record(name: str, pk: int) -> str:
    """Return the occurrence a message about one record (a message, an extension) serves."""
    return f"{name}-{pk}"


def for_promise(promise: Promise) -> str:
    return f"promise-{promise.pk}"


def complainant_channel(case: Complaint) -> str:
    """Return how we write to the complainant now: by email, or by letter.

    By letter when they gave no email address, when they asked to be written to by post (an
    adjustment for a vulnerable complainant), or when mail to the address they gave failed
    (bounced or refused); correcting the address on the case brings email back.
    """
    if not case.complainant_email or vulnerability.writes_by_post(case):
        return Notification.Channel.LETTER
    if address_undeliverable(complaint_id=case.pk, recipient=case.complainant_email):
        return Notification.Channel.LETTER
    return Notification.Channel.EMAIL


def to_complainant(
    case: Complaint,
    kind: str,
    *,
    occurrence: str,
    context: dict[str, Any] | None = None,
    keeps: Iterable[int] | None = None,
) -> Notification | None:
    """Return the unsaved message of `kind` to the complainant: an email, or a letter to post.

    A letter where they gave no email address (one that stopped taking our mail is found when
    the email is due, and the row becomes a letter then: notifications.services), or who asked
    to be written to by post; None for a message that only makes sense by email (a tracking
    link, a survey) when we write by letter.
    """
    by_letter = not case.complainant_email or vulnerability.writes_by_post(case)
    if by_letter and kind in NOT_ON_PAPER:
        return None
    if keeps is None:
        keeps = promise_records.promises_kept_by(case, KEEPS.get(kind, ()))
    return Notification(
        complaint=case,
        kind=kind,
        channel=Notification.Channel.LETTER if by_letter else Notification.Channel.EMAIL,
        recipient="" if by_letter else case.complainant_email,
        language=case.language,
        dedupe_key=dedupe_key(source(case), kind, occurrence),
        context={**(context or {}), "keeps": sorted(keeps)},
    )


def notify_complainant(
    case: Complaint, kind: str, *, occurrence: str, context: dict[str, Any] | None = None
) -> Notification | None:
    """Write the message of `kind` to the complainant to the outbox (sent once it commits)."""
    notification = to_complainant(case, kind, occurrence=occurrence, context=context)
    if notification is not None:
        notifications_enqueue([notification])
    return notification


def notify_complainant_checked(
    case: Complaint,
    kind: str,
    *,
    occurrence: str,
    context: dict[str, Any] | None = None,
    keeps: Iterable[int] | None = None,
) -> Notification | None:
    """Like notify_complainant, after the final-response check: a message the policy's rule
    packs regulate is rendered as it would be sent and refused (StatementsMissing) if it lacks
    a required statement. Call it inside the service's transaction, so a refusal changes
    nothing."""
    notification = to_complainant(case, kind, occurrence=occurrence, context=context, keeps=keeps)
    if notification is not None:
        final_response_check(notification)
        notifications_enqueue([notification])
    return notification


def to_staff(
    case: Complaint,
    kind: str,
    user,
    *,
    occurrence: str,
    context: dict[str, Any] | None = None,
) -> Notification:
    return Notification(
        complaint=case,
        kind=kind,
        recipient=user.email,
        recipient_user=user,
        language=settings.LANGUAGE_CODE,
        dedupe_key=dedupe_key(source(case), kind, occurrence, user.pk),
        context=context or {},
    )


def notify_staff(case: Complaint, kind: str, users: Iterable, *, occurrence: str) -> None:
    notifications_enqueue(
        to_staff(case, kind, user, occurrence=occurrence)
        for user in users
        if user is not None and user.is_active and user.email
    )


def delivery_delayed(notification: Notification) -> None:
    """Tell the case's handler and the supervisors, once, that a message is not getting out."""
    case = notification.complaint
    people = {user.pk: user for user in get_user_model().objects.filter(groups__name=SUPERVISORS)}
    if case.handler is not None:
        people[case.handler.pk] = case.handler
    notifications_enqueue(
        to_staff(
            case,
            K.STAFF_DELIVERY_DELAYED,
            user,
            occurrence=for_record("notification", notification.pk),
            context={"notification_id": notification.pk},
        )
        for user in people.values()
        if user.is_active and user.email
    )


def after_sent(notification: Notification) -> None:
    """Keep the promises a message was written to keep; ask for a rating after the last one."""
    promise_records.promises_keep_by_message(notification)
    # The survey is answered on the tracking page, which letters do not link to.
    if notification.kind in SURVEY_AFTER and notification.channel == Notification.Channel.EMAIL:
        _schedule_survey(notification)


def _schedule_survey(notification: Notification) -> None:
    delay = dt.timedelta(hours=settings.REDRESS_SURVEY_DELAY_HOURS)
    notifications_enqueue(
        [
            Notification(
                complaint_id=notification.complaint_id,
                kind=K.SURVEY,
                recipient=notification.recipient,
                language=notification.language,
                # One survey per case, whichever closing message asked for it.
                dedupe_key=dedupe_key(source(notification.complaint_id), K.SURVEY, 1),
                next_attempt_at=clock.now() + delay,
            )
        ]
    )


# The complainant's steps that the staff must hear of (not, say, asking for a fresh link).
NEEDS_STAFF = frozenset(
    {"customer_message", "record_customer_reply", "file_added", "resolve", "escalate", "withdraw"}
)


def complainant_acted(case: Complaint, event: ComplaintEvent) -> None:
    """Mark the case as having new activity and tell the staff who owe the next step.

    The handler hears of every step the complainant takes; the supervisors also hear of a
    request for a review. One email per event and person (the dedupe key names the event), or
    one line in their daily digest, as each chose.
    """
    case.activity_at = event.created_at
    Complaint.objects.filter(pk=case.pk).update(activity_at=event.created_at)
    people: list[Any] = [case.handler] if case.handler_id else []
    if event.action == "escalate":
        people += list(supervisors())
    emails, digests = [], []
    for person in {person.pk: person for person in people}.values():
        if not (person.email and person.is_active):
            continue
        delivery = delivery_for(person, K.STAFF_ACTIVITY)
        if delivery == Delivery.EMAIL:
            emails.append(
                to_staff(
                    case,
                    K.STAFF_ACTIVITY,
                    person,
                    occurrence=for_event(event),
                    context={"event_id": event.pk, "action": event.action},
                )
            )
        elif delivery == Delivery.DIGEST:
            digests.append(
                StaffDigestItem(
                    user=person, complaint=case, action=event.action, created_at=event.created_at
                )
            )
    notifications_enqueue(emails)
    StaffDigestItem.objects.bulk_create(digests)


def supervisors():
    return (
        get_user_model().objects.filter(groups__name=SUPERVISORS, is_active=True).exclude(email="")
    )
