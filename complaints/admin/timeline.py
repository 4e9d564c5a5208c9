"""The case page's timeline: transitions, correspondence, notifications and moved deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from complaints.actors import Actor
from complaints.choices import State
from complaints.models import Complaint
from notifications.models import Notification


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str
    title: str
    actor: str = ""
    body: str = ""
    status: str = ""
    public: bool = True


def _actor(kind: str, user) -> str:
    return str(Actor(kind=kind, user=user))


def case_timeline(complaint: Complaint) -> list[Entry]:
    """Return every recorded step of the case, oldest first, in four queries."""
    entries: list[Entry] = []
    for event in complaint.events.select_related("actor"):
        moved = event.from_state and event.to_state and event.from_state != event.to_state
        title = event.action.replace("_", " ").capitalize()
        if moved:
            title += f": {State(event.from_state).label} → {State(event.to_state).label}"
        entries.append(
            Entry(
                event.created_at,
                "event",
                title,
                _actor(event.actor_kind, event.actor),
                event.note,
                public=event.is_public,
            )
        )
    for message in complaint.messages.select_related("author"):
        entries.append(
            Entry(
                message.created_at,
                message.direction,
                message.get_direction_display(),
                str(Actor.staff(message.author)) if message.author else "",
                message.body,
                public=message.direction != message.Direction.INTERNAL_NOTE,
            )
        )
    for notification in complaint.notifications.all():
        entries.append(
            Entry(
                notification.created_at,
                "notification",
                _("Email: %(kind)s to %(recipient)s")
                % {"kind": notification.get_kind_display(), "recipient": notification.recipient},
                body=notification.last_error
                if notification.status == Notification.Status.FAILED
                else "",
                status=notification.get_status_display(),
            )
        )
    for extension in complaint.extensions.select_related("actor"):
        entries.append(
            Entry(
                extension.created_at,
                "extension",
                _("%(deadline)s moved from %(previous)s to %(new)s")
                % {
                    "deadline": extension.get_deadline_display(),
                    "previous": f"{localtime(extension.previous):%Y-%m-%d %H:%M}",
                    "new": f"{localtime(extension.new):%Y-%m-%d %H:%M}",
                },
                str(Actor.staff(extension.actor)) if extension.actor else "",
                extension.reason,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)
