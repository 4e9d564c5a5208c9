"""The machinery every lifecycle service shares: lock, transition, save, record, notify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from complaints import clock, outbox
from complaints.actors import Actor
from complaints.choices import ActorKind
from complaints.exceptions import CaseChanged, TransitionRefused
from complaints.models import Complaint, ComplaintEvent


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
        # The messages this transition causes are keyed by its event (complaints.outbox).
        case.transition_event = record_event(
            case, action, actor, from_state=from_state, note=note, public=public
        )
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


@dataclass(frozen=True)
class TimelineEntry:
    """A timeline entry to write with others in one INSERT (record_events)."""

    action: str
    actor: Actor
    from_state: str
    note: str = ""
    public: bool = True


def record_event(
    case: Complaint,
    action: str,
    actor: Actor,
    *,
    from_state: str,
    note: str = "",
    public: bool = True,
) -> ComplaintEvent:
    [event] = record_events(case, [TimelineEntry(action, actor, from_state, note, public)])
    return event


def record_events(case: Complaint, entries: Sequence[TimelineEntry]) -> list[ComplaintEvent]:
    """Write the case's timeline entries, in one INSERT however many they are.

    Trap: the messages a transition causes are keyed by its event's id (outbox.for_event), so
    where the database cannot return the ids of a bulk INSERT (SQLite before 3.35) each entry
    is saved on its own.
    """
    now = clock.now()
    events = [
        ComplaintEvent(
            complaint=case,
            action=entry.action,
            actor_kind=entry.actor.kind,
            actor=entry.actor.user,
            from_state=entry.from_state,
            to_state=case.state,
            note=entry.note,
            is_public=entry.public,
            created_at=now,
        )
        for entry in entries
    ]
    if connections[router.db_for_write(ComplaintEvent)].features.can_return_rows_from_bulk_insert:
        ComplaintEvent.objects.bulk_create(events)
    else:
        for event in events:
            event.save(force_insert=True)
    for entry, event in zip(entries, events, strict=True):
        if entry.actor.kind == ActorKind.COMPLAINANT and entry.action in outbox.NEEDS_STAFF:
            outbox.complainant_acted(case, event)
    return events
