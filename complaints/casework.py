"""The machinery every lifecycle service shares: lock, transition, save, record, notify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from complaints import clock
from complaints.actors import Actor
from complaints.choices import ActorKind
from complaints.exceptions import CaseChanged, TransitionRefused
from complaints.models import Complaint, ComplaintEvent
from complaints.roles import SUPERVISORS
from notifications.models import Notification, StaffDigestItem
from notifications.preferences import Delivery, delivery_for
from notifications.services import notifications_enqueue

User = get_user_model()
ACTIVITY = Notification.Kind.STAFF_ACTIVITY
# The complainant's steps that the staff must hear of (not, say, asking for a fresh link).
NEEDS_STAFF = {
    "customer_message",
    "record_customer_reply",
    "file_added",
    "resolve",
    "escalate",
    "withdraw",
}


def run_transition(
    complaint: Complaint,
    action: str,
    actor: Actor,
    change: Callable[[Complaint], None],
    *,
    note: str = "",
    public: bool = True,
) -> Complaint:
    """Run `change` (which fires the transition `action`) on the locked row and record it."""
    with transaction.atomic():
        case = lock(complaint)
        from_state, before = case.state, snapshot(case)
        try:
            change(case)
        except TransitionNotAllowed as exc:
            raise TransitionRefused(
                action=action, state=case.get_state_display(), reference=str(case)
            ) from exc
        save_changes(case, before)
        record_event(case, action, actor, from_state=from_state, note=note, public=public)
    return case


def lock(complaint: Complaint) -> Complaint:
    """Return the row locked for this transaction; refuse if it moved since the caller read it.

    select_for_update serialises writers on PostgreSQL; comparing the state the caller saw with
    the state under the lock tells the slower of two handlers that the case changed meanwhile.
    """
    case = Complaint.objects.select_for_update().select_related("policy").get(pk=complaint.pk)
    if case.state != complaint.state:
        raise CaseChanged(reference=str(case), state=case.get_state_display())
    return case


def snapshot(case: Complaint) -> dict[str, Any]:
    return {field.attname: getattr(case, field.attname) for field in case._meta.concrete_fields}


def save_changes(case: Complaint, before: dict[str, Any]) -> None:
    changed = [name for name, value in snapshot(case).items() if before[name] != value]
    try:
        case.save(update_fields=[*changed, "updated_at"])
    except ConcurrentTransition as exc:
        raise CaseChanged(reference=str(case), state=case.get_state_display()) from exc


def record_event(
    case: Complaint,
    action: str,
    actor: Actor,
    *,
    from_state: str,
    note: str = "",
    public: bool = True,
) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        complaint=case,
        action=action,
        actor_kind=actor.kind,
        actor=actor.user,
        from_state=from_state,
        to_state=case.state,
        note=note,
        is_public=public,
        created_at=clock.now(),
    )
    if actor.kind == ActorKind.COMPLAINANT and action in NEEDS_STAFF:
        complainant_acted(case, event)
    return event


def complainant_acted(case: Complaint, event: ComplaintEvent) -> None:
    """Mark the case as having new activity and tell the staff who owe the next step.

    The handler hears of every step the complainant takes; the supervisors also hear of a
    request for a review. One email per event and person (the dedupe key names the event), or
    one line in their daily digest.
    """
    case.activity_at = event.created_at
    Complaint.objects.filter(pk=case.pk).update(activity_at=event.created_at)
    people = [case.handler] if case.handler_id else []
    if event.action == "escalate":
        people += list(supervisors())
    emails, digests = [], []
    for person in {person.pk: person for person in people}.values():
        if not (person.email and person.is_active):
            continue
        delivery = delivery_for(person, ACTIVITY)
        if delivery == Delivery.EMAIL:
            emails.append(
                Notification(
                    complaint=case,
                    kind=ACTIVITY,
                    recipient=person.email,
                    recipient_user=person,
                    language=settings.LANGUAGE_CODE,
                    dedupe_key=f"{case.pk}:{ACTIVITY}:{event.pk}:{person.pk}",
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
    return User.objects.filter(groups__name=SUPERVISORS, is_active=True).exclude(email="")


def notify_complainant(
    case: Complaint, kind: str, *, key: str = "", context: dict | None = None
) -> None:
    notification = complainant_notification(case, kind, key=key, context=context)
    if notification is not None:
        notifications_enqueue([notification])


def complainant_notification(
    case: Complaint, kind: str, *, key: str = "", context: dict | None = None
) -> Notification | None:
    """Return the unsaved notification of `kind` to the complainant; None if they gave no email."""
    if not case.complainant_email:
        return None
    return Notification(
        complaint=case,
        kind=kind,
        recipient=case.complainant_email,
        language=case.language,
        dedupe_key=f"{case.pk}:{kind}:{key or case.state}",
        context=context or {},
    )
