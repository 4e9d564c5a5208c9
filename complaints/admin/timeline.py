"""The case page's timeline: transitions, correspondence, notifications and moved deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from complaints.choices import ActorKind, DeadlineKind, State
from complaints.models import Complaint, Message
from notifications.models import Notification

# Rows are read as values, not models: a long case has many, and each model would also build the
# user who acted.
PERSON = ("first_name", "last_name", "username")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str
    title: str | Promise
    actor: str = ""
    body: str = ""
    status: str | Promise = ""
    public: bool = True


def _person(row: dict, user: str) -> str:
    """Return the name of the `user` joined into `row`, as Actor shows it; "" for nobody."""
    first, last, username = (row[f"{user}__{field}"] for field in PERSON)
    if username is None:
        return ""
    return f"{first} {last}".strip() or username


def _with_person(user: str) -> list[str]:
    return [f"{user}__{field}" for field in PERSON]


def case_timeline(complaint: Complaint) -> list[Entry]:
    """Return every recorded step of the case, oldest first, in four queries."""
    entries: list[Entry] = []
    for event in complaint.events.values(
        "created_at",
        "action",
        "actor_kind",
        "from_state",
        "to_state",
        "note",
        "is_public",
        *_with_person("actor"),
    ):
        before, after = event["from_state"], event["to_state"]
        title = event["action"].replace("_", " ").capitalize()
        if before and after and before != after:
            title += f": {State(before).label} → {State(after).label}"
        entries.append(
            Entry(
                event["created_at"],
                "event",
                title,
                _person(event, "actor") or str(ActorKind(event["actor_kind"]).label),
                event["note"],
                public=event["is_public"],
            )
        )
    for message in complaint.messages.values(
        "created_at", "direction", "body", *_with_person("author")
    ):
        direction = Message.Direction(message["direction"])
        entries.append(
            Entry(
                message["created_at"],
                direction.value,
                direction.label,
                _person(message, "author"),
                message["body"],
                public=direction != Message.Direction.INTERNAL_NOTE,
            )
        )
    for notification in complaint.notifications.values(
        "created_at", "kind", "channel", "recipient", "status", "last_error", "sent_at"
    ):
        status = Notification.Status(notification["status"])
        kind = Notification.Kind(notification["kind"]).label
        if notification["channel"] == Notification.Channel.LETTER:
            title = _("Letter: %(kind)s") % {"kind": kind}
            shown = str(
                _("Posted %(date)s") % {"date": f"{localtime(notification['sent_at']):%Y-%m-%d}"}
                if status == Notification.Status.SENT
                else _("To post")
            )
        else:
            title = _("Email: %(kind)s to %(recipient)s") % {
                "kind": kind,
                "recipient": notification["recipient"],
            }
            shown = str(status.label)
        entries.append(
            Entry(
                notification["created_at"],
                "notification",
                title,
                body=notification["last_error"] if status == Notification.Status.FAILED else "",
                status=shown,
            )
        )
    for extension in complaint.extensions.values(
        "created_at", "deadline", "previous", "new", "reason", *_with_person("actor")
    ):
        entries.append(
            Entry(
                extension["created_at"],
                "extension",
                _("%(deadline)s moved from %(previous)s to %(new)s")
                % {
                    "deadline": DeadlineKind(extension["deadline"]).label,
                    "previous": f"{localtime(extension['previous']):%Y-%m-%d %H:%M}",
                    "new": f"{localtime(extension['new']):%Y-%m-%d %H:%M}",
                },
                _person(extension, "actor"),
                extension["reason"],
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def timeline_rows(entries: list[Entry]) -> SafeString:
    """Return the timeline's table rows, at half the cost of a template loop over them."""
    staff_only = format_html(" <em>({})</em>", _("staff only"))
    return format_html_join(
        "",
        '<tr class="timeline-{}{}"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                entry.kind,
                "" if entry.public else " internal",
                f"{localtime(entry.at):%Y-%m-%d %H:%M}",
                entry.title,
                "" if entry.public else staff_only,
                entry.actor,
                linebreaksbr(entry.body),
                entry.status,
            )
            for entry in entries
        ),
    )
