"""The machinery every lifecycle service shares: lock, transition, save, record, notify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from complaints import clock
from complaints.actors import Actor
from complaints.exceptions import CaseChanged, TransitionRefused
from complaints.models import Complaint, ComplaintEvent
from notifications.models import Notification
from notifications.services import address_undeliverable, notifications_enqueue


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
    return ComplaintEvent.objects.create(
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


def notify_complainant(
    case: Complaint, kind: str, *, key: str = "", context: dict | None = None
) -> None:
    notification = complainant_notification(case, kind, key=key, context=context)
    if notification is not None:
        notifications_enqueue([notification])


def complainant_notification(
    case: Complaint, kind: str, *, key: str = "", context: dict | None = None
) -> Notification:
    """Return the unsaved notification of `kind` to the complainant.

    An email where they gave an address, otherwise a letter for the handler to post. The dedupe
    key is the same either way.
    """
    # No query here (the sweeps build these by the hundred): an address that stopped taking our
    # mail is found when the email is due, and the row becomes a letter then
    # (notifications.services.notification_deliver).
    by_letter = not case.complainant_email
    return Notification(
        complaint=case,
        kind=kind,
        channel=Notification.Channel.LETTER if by_letter else Notification.Channel.EMAIL,
        recipient="" if by_letter else case.complainant_email,
        language=case.language,
        dedupe_key=f"{case.pk}:{kind}:{key or case.state}",
        context=context or {},
    )


def complainant_channel(case: Complaint) -> str:
    """Return how we write to the complainant now: by email, or by letter.

    By letter when they gave no email address, or when mail to the address they gave failed
    (bounced or refused); correcting the address on the case brings email back.
    """
    if not case.complainant_email:
        return Notification.Channel.LETTER
    if address_undeliverable(complaint_id=case.pk, recipient=case.complainant_email):
        return Notification.Channel.LETTER
    return Notification.Channel.EMAIL
