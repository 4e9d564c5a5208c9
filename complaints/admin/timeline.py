"""The case page's timeline: transitions, correspondence, notifications and moved deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.template.defaultfilters import linebreaksbr
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import is_naive, localtime, make_aware
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import ActorKind, DeadlineKind, State
from complaints.models import Complaint, Message
from notifications.models import Notification

# What each event is called on the timeline, in the staff member's language.
EVENTS = {
    "received": gettext_lazy("Received"),
    "acknowledge": gettext_lazy("Acknowledged"),
    "start_investigation": gettext_lazy("Investigation started"),
    "request_information": gettext_lazy("Information requested"),
    "respond": gettext_lazy("Responded"),
    "resolve": gettext_lazy("Resolved"),
    "escalate": gettext_lazy("Escalated"),
    "close_escalation": gettext_lazy("Escalation closed"),
    "withdraw": gettext_lazy("Withdrawn"),
    "reopen": gettext_lazy("Reopened"),
    "assigned": gettext_lazy("Assigned"),
    "deadline_extended": gettext_lazy("Deadline extended"),
    "marked_complex": gettext_lazy("Marked complex"),
    "holding_reply": gettext_lazy("Holding reply sent"),
    "file_added": gettext_lazy("File added"),
    "attachment_refused": gettext_lazy("File refused"),
    "tracking_link_replaced": gettext_lazy("Tracking link replaced"),
    "escalation_reviewer_assigned": gettext_lazy("Reviewer assigned"),
    "delivery_failed": gettext_lazy("Delivery failed"),
    "email_held": gettext_lazy("Email held"),
    "email_attached": gettext_lazy("Held email added"),
    "email_discarded": gettext_lazy("Held email discarded"),
    "rated": gettext_lazy("Rated"),
    "clock_paused": gettext_lazy("Clock paused"),
    "clock_resumed": gettext_lazy("Clock resumed"),
    "regulatory_suspension": gettext_lazy("Regulatory deadline suspended"),
    "vulnerability_recorded": gettext_lazy("Vulnerability recorded"),
    "redress_recorded": gettext_lazy("Redress recorded"),
    "review_redress_recorded": gettext_lazy("Redress recorded in the review"),
    "redress_approved": gettext_lazy("Redress approved"),
    "redress_rejected": gettext_lazy("Redress rejected"),
    "case_linked": gettext_lazy("Linked to another case"),
    "case_unlinked": gettext_lazy("Link to another case removed"),
    "merged": gettext_lazy("Merged into another case"),
    "merged_in": gettext_lazy("Duplicate merged in"),
}
# These events come with a message, which the timeline shows with its text: one row, not two.
SHOWN_AS_MESSAGES = ("customer_message", "record_customer_reply", "message_sent", "note_added")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str
    title: str | Promise
    actor: str = ""
    body: str = ""
    status: str | Promise = ""
    public: bool = True
    letter: bool = False


def _person(first: str | None, last: str | None, username: str | None) -> str:
    """Return the name of the person joined into a row, as Actor shows it; "" for nobody."""
    if username is None:
        return ""
    return f"{first} {last}".strip() or username


# A moved deadline is an event and an extension row written together; the event carries its
# extension's dates (the latest extension written with or before it), so it shows once and costs
# no query of its own. The CASE runs the subqueries for deadline_extended events only.
_MOVED = """CASE WHEN e.action = 'deadline_extended' THEN (
       SELECT d.{column} FROM complaints_deadlineextension d
        WHERE d.complaint_id = e.complaint_id AND d.created_at <= e.created_at
        ORDER BY d.created_at DESC, d.id DESC LIMIT 1) END"""
# The timeline's one query: its three sources (events, messages, notifications) as one UNION ALL.
# Written out rather than composed from three querysets: composing and compiling them was an
# eighth of the case page's time, for SQL that never changes (bench/profile_pages.py). Portable
# SQL, as `make run` runs on SQLite: no casts, no LATERAL, no arrays. PostgreSQL resolves a UNION's
# column types pair by pair and reads two untyped NULLs as text, so a notification's columns share
# the event's (channel, recipient, status as actor_kind, from_state, to_state; sent_at as the
# moved deadline's previous date) and every column is typed in the first two sources.
TIMELINE_SQL = f"""
SELECT 'event', e.created_at, e.action, e.actor_kind, e.from_state, e.to_state, e.note,
       e.is_public, u.first_name, u.last_name, u.username,
       {_MOVED.format(column="deadline")},
       {_MOVED.format(column="previous")},
       {_MOVED.format(column="new")}
  FROM complaints_complaintevent e
  LEFT JOIN auth_user u ON u.id = e.actor_id
 WHERE e.complaint_id = %s AND e.action NOT IN ({", ".join(["%s"] * len(SHOWN_AS_MESSAGES))})
UNION ALL
SELECT 'message', m.created_at, m.direction, NULL, NULL, NULL, m.body,
       TRUE, u.first_name, u.last_name, u.username, NULL, NULL, NULL
  FROM complaints_message m
  LEFT JOIN auth_user u ON u.id = m.author_id
 WHERE m.complaint_id = %s
UNION ALL
SELECT 'notification', n.created_at, n.kind, n.channel, n.recipient, n.status, n.last_error,
       TRUE, NULL, NULL, NULL, NULL, n.sent_at, NULL
  FROM notifications_notification n
 WHERE n.complaint_id = %s
"""
# Where each source's values sit in a row; rows are tuples, not models: a long case has many, and
# each model would also build the user who acted.
AT, KIND, TEXT, PUBLIC, PERSON, MOVED, MOVED_FROM, MOVED_TO = 1, 2, 6, 7, slice(8, 11), 11, 12, 13
ACTOR_KIND, FROM_STATE, TO_STATE = 3, 4, 5
CHANNEL, RECIPIENT, STATUS, SENT_AT = 3, 4, 5, 12


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    """Return a datetime column's value as the ORM would: SQLite gives naive UTC, or text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and is_naive(value):
        return make_aware(value, dt.UTC)
    return value


def case_timeline_rows(complaint: Complaint) -> list[tuple]:
    """Return the case's events, messages and notifications as the timeline reads them."""
    with connection.cursor() as cursor:
        cursor.execute(TIMELINE_SQL, [complaint.pk, *SHOWN_AS_MESSAGES, complaint.pk, complaint.pk])
        rows = cursor.fetchall()
    return [
        (
            row[0],
            _moment(row[AT]),
            *row[KIND:PUBLIC],
            bool(row[PUBLIC]),
            *row[PERSON],
            row[MOVED],
            _moment(row[MOVED_FROM]),
            _moment(row[MOVED_TO]),
        )
        for row in rows
    ]


def case_timeline(complaint: Complaint) -> list[Entry]:
    """Return every recorded step of the case, oldest first, in one query."""
    entries: list[Entry] = []
    for row in case_timeline_rows(complaint):
        if row[0] == "event":
            entries.append(_event(complaint, row))
        elif row[0] == "message":
            entries.append(_message(row))
        else:
            entries.append(_notification(row))
    return sorted(entries, key=lambda entry: entry.at)


def _event(complaint: Complaint, row: tuple) -> Entry:
    at, kind, note, public = row[AT], row[KIND], row[TEXT], row[PUBLIC]
    person = _person(*row[PERSON])
    if row[MOVED]:
        return Entry(
            at,
            "extension",
            _("%(deadline)s moved from %(previous)s to %(new)s")
            % {
                "deadline": DeadlineKind(row[MOVED]).label,
                "previous": f"{localtime(row[MOVED_FROM]):%Y-%m-%d %H:%M}",
                "new": f"{localtime(row[MOVED_TO]):%Y-%m-%d %H:%M}",
            },
            person,
            note,
            public=public,
        )
    before, after = row[FROM_STATE], row[TO_STATE]
    title = str(EVENTS.get(kind) or kind.replace("_", " ").capitalize())
    if before and after and before != after:
        title += f": {State(before).label} → {State(after).label}"
    return Entry(
        at,
        "event",
        title,
        person or str(ActorKind(row[ACTOR_KIND]).label),
        # The receipt's note is the channel, written in the complainant's language at the
        # time; the reader's language comes from the case itself.
        complaint.get_channel_display() if kind == "received" else note,
        public=public,
    )


def _message(row: tuple) -> Entry:
    direction = Message.Direction(row[KIND])
    return Entry(
        row[AT],
        direction.value,
        direction.label,
        _person(*row[PERSON]),
        row[TEXT],
        public=direction != Message.Direction.INTERNAL_NOTE,
    )


def _notification(row: tuple) -> Entry:
    status = Notification.Status(row[STATUS])
    kind = Notification.Kind(row[KIND]).label
    letter = row[CHANNEL] == Notification.Channel.LETTER
    if letter:
        title = _("Letter: %(kind)s") % {"kind": kind}
        shown = str(
            _("Posted %(date)s") % {"date": f"{localtime(row[SENT_AT]):%Y-%m-%d}"}
            if status == Notification.Status.SENT
            else _("To post")
        )
    else:
        title = _("Email: %(kind)s to %(recipient)s") % {"kind": kind, "recipient": row[RECIPIENT]}
        shown = str(status.label)
    return Entry(
        row[AT],
        "notification",
        title,
        body=row[TEXT] if status == Notification.Status.FAILED else "",
        status=shown,
        letter=letter,
    )


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
