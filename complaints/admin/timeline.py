"""The case page's timeline: transitions, correspondence, notifications and moved deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    F,
    OuterRef,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.template.defaultfilters import linebreaksbr
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import ActorKind, DeadlineKind, State
from complaints.models import Complaint, DeadlineExtension, Message
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
SHOWN_AS_MESSAGES = {"customer_message", "record_customer_reply", "message_sent", "note_added"}
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
    letter: bool = False


def _person(row: dict) -> str:
    """Return the name of the person joined into `row`, as Actor shows it; "" for nobody."""
    first, last, username = (row[field] for field in PERSON)
    if username is None:
        return ""
    return f"{first} {last}".strip() or username


# The timeline's one query: its three sources (events, messages, notifications) as one
# UNION ALL, every source giving every column (NULL or a constant where it has none).
TEXT = CharField()
# A typed NULL: PostgreSQL takes an untyped one in two branches for text.
NO_TIME = Cast(Value(None), output_field=DateTimeField())
COLUMNS: dict[str, Any] = {
    "source": Value("", output_field=TEXT),
    "at": NO_TIME,
    "kind": Value("", output_field=TEXT),
    "actor_kind": Value("", output_field=TEXT),
    "from_state": Value("", output_field=TEXT),
    "to_state": Value("", output_field=TEXT),
    "text": Value("", output_field=TextField()),
    "public": Value(True, output_field=BooleanField()),
    "first_name": Value(None, output_field=TEXT),
    "last_name": Value(None, output_field=TEXT),
    "username": Value(None, output_field=TEXT),
    "moved": Value("", output_field=TEXT),
    "moved_from": NO_TIME,
    "moved_to": NO_TIME,
    "channel": Value("", output_field=TEXT),
    "recipient": Value("", output_field=TEXT),
    "status": Value("", output_field=TEXT),
    "sent_at": NO_TIME,
}
PREFIX = "tl_"


def _source(queryset, name: str, person: str | None, **given) -> Any:
    """Return `queryset` as the timeline's columns, in COLUMNS' order, named with PREFIX."""
    if person is not None:
        given |= {field: F(f"{person}__{field}") for field in PERSON}
    columns = COLUMNS | given | {"source": Value(name, output_field=TEXT)}
    return (
        queryset.order_by()
        .annotate(**{PREFIX + key: columns[key] for key in COLUMNS})
        .values(*(PREFIX + key for key in COLUMNS))
    )


def case_timeline(complaint: Complaint) -> list[Entry]:
    """Return every recorded step of the case, oldest first, in one query."""
    # A moved deadline is an event and an extension row written together; the event carries
    # its extension's dates here, so it shows once and costs no query of its own.
    extension = DeadlineExtension.objects.filter(
        complaint=OuterRef("complaint"), created_at__lte=OuterRef("created_at")
    ).order_by("-created_at", "-pk")
    events = _source(
        complaint.events.exclude(action__in=SHOWN_AS_MESSAGES),
        "event",
        "actor",
        at=F("created_at"),
        kind=F("action"),
        actor_kind=F("actor_kind"),
        from_state=F("from_state"),
        to_state=F("to_state"),
        text=F("note"),
        public=F("is_public"),
        moved=Case(
            When(action="deadline_extended", then=Subquery(extension.values("deadline")[:1])),
            default=Value(""),
            output_field=TEXT,
        ),
        moved_from=Subquery(extension.values("previous")[:1]),
        moved_to=Subquery(extension.values("new")[:1]),
    )
    messages = _source(
        complaint.messages.all(),
        "message",
        "author",
        at=F("created_at"),
        kind=F("direction"),
        text=F("body"),
    )
    notifications = _source(
        complaint.notifications.all(),
        "notification",
        None,
        at=F("created_at"),
        kind=F("kind"),
        text=F("last_error"),
        channel=F("channel"),
        recipient=F("recipient"),
        status=F("status"),
        sent_at=F("sent_at"),
    )
    entries: list[Entry] = []
    for row in events.union(messages, notifications, all=True):
        row = {key[len(PREFIX) :]: value for key, value in row.items()}
        if row["source"] == "event":
            entries.append(_event(complaint, row))
        elif row["source"] == "message":
            entries.append(_message(row))
        else:
            entries.append(_notification(row))
    return sorted(entries, key=lambda entry: entry.at)


def _event(complaint: Complaint, event: dict) -> Entry:
    if event["moved"]:
        return Entry(
            event["at"],
            "extension",
            _("%(deadline)s moved from %(previous)s to %(new)s")
            % {
                "deadline": DeadlineKind(event["moved"]).label,
                "previous": f"{localtime(event['moved_from']):%Y-%m-%d %H:%M}",
                "new": f"{localtime(event['moved_to']):%Y-%m-%d %H:%M}",
            },
            _person(event),
            event["text"],
            public=event["public"],
        )
    before, after = event["from_state"], event["to_state"]
    title = str(EVENTS.get(event["kind"]) or event["kind"].replace("_", " ").capitalize())
    if before and after and before != after:
        title += f": {State(before).label} → {State(after).label}"
    return Entry(
        event["at"],
        "event",
        title,
        _person(event) or str(ActorKind(event["actor_kind"]).label),
        # The receipt's note is the channel, written in the complainant's language at the
        # time; the reader's language comes from the case itself.
        complaint.get_channel_display() if event["kind"] == "received" else event["text"],
        public=event["public"],
    )


def _message(message: dict) -> Entry:
    direction = Message.Direction(message["kind"])
    return Entry(
        message["at"],
        direction.value,
        direction.label,
        _person(message),
        message["text"],
        public=direction != Message.Direction.INTERNAL_NOTE,
    )


def _notification(notification: dict) -> Entry:
    status = Notification.Status(notification["status"])
    kind = Notification.Kind(notification["kind"]).label
    letter = notification["channel"] == Notification.Channel.LETTER
    if letter:
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
    return Entry(
        notification["at"],
        "notification",
        title,
        body=notification["text"] if status == Notification.Status.FAILED else "",
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
