"""A case with every kind of step on its timeline, and its timeline read from the models one by
one: what the case page's single statement (complaints.admin.timeline) must give, on PostgreSQL
and on SQLite (tests/console/test_case_page.py, tests/fresh/take_a_complaint.py)."""

import datetime as dt
from collections import Counter

from complaints import clock, services
from complaints.actors import Actor
from complaints.admin.timeline import EVENTS, SHOWN_AS_MESSAGES
from complaints.choices import ActorKind
from complaints.models import Complaint, ComplaintEvent
from notifications.models import Notification
from tests.cases import case_in, deliver_pending


def case_with_every_step(handler) -> Complaint:
    """Return a case with each event the timeline names (and one it does not), messages each
    way, a note, two moved deadlines, emails sent and failed, a letter posted and one to post."""
    case = case_in("investigating", handler=handler)
    staff = Actor.staff(handler)
    services.complaint_send_message(complaint=case, actor=staff, body="We are looking into it.")
    services.complaint_record_customer_reply(complaint=case, body="Thank you.")
    services.complaint_add_note(complaint=case, actor=staff, body="Checked the ledger.")
    for days in (30, 45):
        case = services.complaint_extend_deadline(
            complaint=case,
            actor=staff,
            resolve_by=clock.now() + dt.timedelta(days=days),
            reason=f"Waiting on the courier ({days}).",
        )
    deliver_pending()
    # The events no service above wrote, as their services would write them, by hand.
    written = set(case.events.values_list("action", flat=True))
    for number, action in enumerate(sorted(set(EVENTS) - written)):
        ComplaintEvent.objects.create(
            complaint=case,
            action=action,
            actor_kind=ActorKind.STAFF if number % 2 else ActorKind.SYSTEM,
            actor=handler if number % 2 else None,
            from_state=case.state,
            to_state=case.state if number % 3 else "resolved",
            note=f"Note of {action}.",
            is_public=bool(number % 2),
            created_at=clock.now(),
        )
    sent = list(case.notifications.filter(status=Notification.Status.SENT).order_by("pk"))
    Notification.objects.filter(pk=sent[0].pk).update(
        status=Notification.Status.FAILED, last_error="Mailbox full"
    )
    Notification.objects.filter(pk__in=[sent[1].pk, sent[2].pk]).update(
        channel=Notification.Channel.LETTER, status=Notification.Status.PENDING, sent_at=None
    )
    letter = Notification.objects.get(pk=sent[1].pk)
    services.complaint_letter_mark_posted(notification=letter, actor=staff)
    return case


def _person(user) -> tuple:
    return (None, None, None) if user is None else (user.first_name, user.last_name, user.username)


def timeline_rows_from_models(case: Complaint) -> Counter:
    """Return the rows of the case's timeline built from its models, in any order."""
    rows = []
    for event in case.events.exclude(action__in=SHOWN_AS_MESSAGES).select_related("actor"):
        moved = (
            case.extensions.filter(created_at__lte=event.created_at)
            .order_by("-created_at", "-pk")
            .first()
            if event.action == "deadline_extended"
            else None
        )
        rows.append(
            (
                "event",
                event.created_at,
                event.action,
                event.actor_kind,
                event.from_state,
                event.to_state,
                event.note,
                event.is_public,
                *_person(event.actor),
                *((moved.deadline, moved.previous, moved.new) if moved else (None, None, None)),
            )
        )
    for message in case.messages.select_related("author"):
        rows.append(
            (
                "message",
                message.created_at,
                message.direction,
                None,
                None,
                None,
                message.body,
                True,
                *_person(message.author),
                None,
                None,
                None,
            )
        )
    for notification in case.notifications.all():
        rows.append(
            (
                "notification",
                notification.created_at,
                notification.kind,
                notification.channel,
                notification.recipient,
                notification.status,
                notification.last_error,
                True,
                None,
                None,
                None,
                None,
                notification.sent_at,
                None,
            )
        )
    return Counter(rows)
