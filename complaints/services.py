"""Everything that changes a complaint. Each service is one transaction: lock the row, run the
transition, save the changed fields, write the timeline entry and the notifications (the outbox).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, connections, router, transaction
from django.db.models import signals
from django.db.models.constants import OnConflict
from django.db.models.sql.subqueries import InsertQuery
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from complaints import (
    casework,
    clock,
    deadlines,
    ledger,
    outbox,
    pauses,
    references,
    reviews,
    rulepacks,
    selectors,
    tasks,
    vulnerability,
)
from complaints import promise_records as promises
from complaints.actors import COMPLAINANT, SYSTEM, Actor
from complaints.choices import ActorKind, Channel, DeadlineKind, PromiseKind, State
from complaints.exceptions import (
    AssignedMeanwhile,
    ComplaintError,
    NotPermitted,
    TransitionRefused,
)
from complaints.models import (
    CaseAccess,
    Category,
    ClockPause,
    Complaint,
    ComplaintPolicy,
    DeadlineExtension,
    Message,
    ReplacedTrackingLink,
)
from notifications.models import Notification
from notifications.services import LetterNotPostable, notification_mark_posted, publish

REFERENCE_ATTEMPTS = 8
# The lookup page sends a case's link at most once per this long, however often it is asked.
TRACKING_LINK_WINDOW = dt.timedelta(minutes=10)


def complaint_submit(
    *,
    channel: str,
    complainant_name: str,
    description: str,
    complainant_email: str = "",
    complainant_phone: str = "",
    complainant_address: str = "",
    account_identifier: str = "",
    language: str = "",
    category: Category | None = None,
    product_or_service: str = "",
    incident_at: dt.datetime | None = None,
    earlier_contact: str = "",
    desired_outcome: str = "",
    received_at: dt.datetime | None = None,
    actor: Actor = SYSTEM,
    policy: ComplaintPolicy | None = None,
    timeline: Sequence[casework.TimelineEntry] = (),
) -> Complaint:
    """Record a new complaint with its reference, tracking token and deadlines.

    `language` is the one the complainant chose; empty, the policy's language is theirs.

    `timeline` is what the caller adds to the timeline after "received" (an app's note of
    where it came from), written in the same INSERT.

    `received_at` is when it reached the organisation: a handler logging a letter or a call
    enters it, and the clock runs from then, not from when it was typed in.
    """
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise ComplaintError(_("A complaint cannot be received in the future."))
    policy = policy or selectors.policy_for(category)
    complaint = Complaint(
        channel=channel,
        complainant_name=complainant_name,
        complainant_email=complainant_email,
        complainant_phone=complainant_phone,
        complainant_address=complainant_address,
        account_identifier=account_identifier,
        # Where the complainant chose no language, the policy's (policy B writes in German).
        language=language or policy.language,
        category=category,
        product_or_service=product_or_service,
        incident_at=incident_at,
        description=description,
        earlier_contact=earlier_contact,
        desired_outcome=desired_outcome,
        received_at=received_at,
        policy=policy,
    )
    deadlines.set_on_receipt(complaint)
    owed = promises.promises_on_receipt(complaint)
    # No savepoint of its own inside a caller's transaction (the web form's, the API's, an
    # inbound email's): a failure here fails the whole submission, which each caller lets go up.
    with transaction.atomic(savepoint=False):
        _insert_with_fresh_reference(complaint)
        promises.promises_save(complaint, owed)
        received = casework.TimelineEntry(
            "received", actor, from_state="", note=str(Channel(channel).label)
        )
        casework.record_events(complaint, [received, *timeline])
        # A task acknowledges it once this commits; the sweep does if the broker is down.
        transaction.on_commit(lambda: publish(tasks.acknowledge_complaint, [complaint.pk]))
    return complaint


def _insert_with_fresh_reference(complaint: Complaint) -> None:
    # A reference is random, so two may clash however rarely: retry rather than check first,
    # which would race with a concurrent submission.
    for _attempt in range(REFERENCE_ATTEMPTS):
        complaint.reference = references.generate()
        complaint.tracking_token = secrets.token_urlsafe(32)
        if connection.vendor == "postgresql":
            inserted = _insert_with_history(complaint)
        else:
            inserted = _insert_in_savepoint(complaint)
        if inserted:
            return
    raise ComplaintError("No free reference number after several attempts.")


def _insert_in_savepoint(complaint: Complaint) -> bool:
    """Save the new complaint and its history row; return False if its reference was taken."""
    # django-simple-history would build its "+" row field by field, a second INSERT as costly
    # as the complaint's own; the database copies it from the stored row instead.
    setattr(complaint, "skip_history_when_saving", True)  # noqa: B010 - not a model field
    try:
        with transaction.atomic():
            complaint.save(force_insert=True)
    except IntegrityError:
        complaint.pk = None
        if not Complaint.objects.filter(reference=complaint.reference).exists():
            raise
        return False
    finally:
        delattr(complaint, "skip_history_when_saving")  # noqa: B043 - as above
    _history_record_created(complaint)
    return True


def _insert_with_history(complaint: Complaint) -> bool:
    """Insert the new complaint and its history row in one statement (PostgreSQL); return False
    if its reference or tracking token was taken.

    What save(force_insert=True) and _insert_in_savepoint do in four round trips (SAVEPOINT,
    INSERT, RELEASE, the history's INSERT … SELECT): ON CONFLICT DO NOTHING takes the place of
    the savepoint, and the history row is copied from the INSERT's RETURNING in the same
    statement.

    Traps: pre_save and post_save are sent as save() sends them (nothing else of save() applies
    to a new complaint: no parents, no order_with_respect_to); a clash on any unique column
    (the id, the reference or the token, all three made here) reads as a taken reference.
    """
    meta = Complaint._meta
    using = router.db_for_write(Complaint, instance=complaint)
    signals.pre_save.send(
        sender=Complaint, instance=complaint, raw=False, using=using, update_fields=None
    )
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(Complaint, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [complaint])
    [(insert, params)] = query.get_compiler(using=using).as_sql()
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        sql = f"WITH new AS ({insert} RETURNING *) {_history_copy_sql(source='new')} RETURNING id"
        params = [*params, *_history_params(complaint)]
    else:
        sql = f"{insert} RETURNING id"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    complaint.pk = row[0]
    complaint._state.adding, complaint._state.db = False, using
    complaint._update_initial_state()  # as django-fsm's save() does
    # Its history row is written: django-simple-history's receiver must not add another.
    setattr(complaint, "skip_history_when_saving", True)  # noqa: B010 - not a model field
    try:
        signals.post_save.send(
            sender=Complaint,
            instance=complaint,
            created=True,
            update_fields=None,
            raw=False,
            using=using,
        )
    finally:
        delattr(complaint, "skip_history_when_saving")  # noqa: B043 - as above
    return True


def _history_record_created(complaint: Complaint) -> None:
    """Write the new complaint's history row ("+") as django-simple-history would."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_history_copy_sql(source=connection.ops.quote_name(Complaint._meta.db_table))}"
            " WHERE id = %s",
            [*_history_params(complaint), complaint.pk],
        )


def _history_params(complaint: Complaint) -> list:
    """Return the history row's date, change reason and user, as django-simple-history sets them.

    Traps: its user is the signed-in user of the request (HistoryRequestMiddleware), as the
    library's default get_user takes it; its pre/post_create_historical_record signals are not
    sent (nothing listens to them for complaints).
    """
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return [
        clock.now(),
        getattr(complaint, "_change_reason", None),
        user.pk if user is not None and user.is_authenticated else None,
    ]


@functools.cache
def _history_copy_sql(*, source: str) -> str:
    """Return the INSERT of a "+" history row copied from the complaint's columns in `source`."""
    history = Complaint.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(field.column) for field in history._meta.concrete_fields if field.name not in own
    )
    return (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date,"
        " history_change_reason, history_user_id, history_type)"
        f" SELECT {columns}, %s, %s, %s, '+' FROM {source}"
    )


def complaint_acknowledge(*, complaint: Complaint, actor: Actor = SYSTEM) -> Complaint:
    """Acknowledge the complaint: assign a handler if none, and queue the acknowledgement."""

    def change(case: Complaint) -> None:
        if case.handler_id is None and settings.REDRESS_AUTO_ASSIGN:
            # A vulnerable complainant's named contact takes the case, if they still can.
            contact = vulnerability.named_contact(case)
            if contact is not None and contact.is_active:
                case.handler = contact
            else:
                case.handler = selectors.least_loaded_handler(case.category)
        case.acknowledge(at=clock.now())

    with transaction.atomic():
        case = casework.run_transition(complaint, "acknowledge", actor, change)
        event = case.transition_event
        outbox.notify_complainant(
            case, Notification.Kind.ACKNOWLEDGEMENT, occurrence=outbox.for_event(event)
        )
        if case.handler_id:
            _notify_staff_assigned(case, event)
    return case


def complaint_start_investigation(*, complaint: Complaint, actor: Actor) -> Complaint:
    _require_staff(actor)
    return casework.run_transition(
        complaint,
        "start_investigation",
        actor,
        lambda case: case.start_investigation(at=clock.now()),
    )


def complaint_request_information(*, complaint: Complaint, actor: Actor, body: str) -> Complaint:
    """Ask the complainant for more information; the question goes out through the outbox."""
    _require_staff(actor)
    _require_text(body, _("Write the question to the complainant."))

    def change(case: Complaint) -> None:
        now = clock.now()
        case.request_information(at=now)
        _mark_contact(case, now)

    with transaction.atomic():
        case = casework.run_transition(
            complaint, "request_information", actor, change, note=body, public=True
        )
        message = Message.objects.create(
            complaint=case,
            direction=Message.Direction.TO_COMPLAINANT,
            author=actor.user,
            body=body,
            is_information_request=True,
        )
        outbox.notify_complainant(
            case,
            Notification.Kind.INFORMATION_REQUEST,
            occurrence=outbox.for_record("message", message.pk),
            context={"message_id": message.pk},
        )
        # The policy may stop the internal targets until the complainant answers.
        pauses.clock_pause(case, actor=actor, at=case.transition_event.created_at)
        return case


def complaint_record_customer_reply(
    *, complaint: Complaint, body: str, channel: str = Channel.WEB, email_message_id: str = ""
) -> Message:
    """Add what the complainant wrote; an answer to an information request resumes the case."""
    _require_text(body, _("Write your message."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if not case.is_open:
            raise TransitionRefused(
                action="add information to", state=case.get_state_display(), reference=str(case)
            )
        message = Message.objects.create(
            complaint=case,
            direction=Message.Direction.FROM_COMPLAINANT,
            body=body,
            channel=channel,
            email_message_id=email_message_id,
        )
        if case.state == State.INVESTIGATING and case.awaiting_information:
            before = casework.snapshot(case)
            case.record_customer_reply(at=clock.now())
            casework.save_changes(case, before)
            casework.record_event(
                case, "record_customer_reply", COMPLAINANT, from_state=State.INVESTIGATING
            )
            pauses.clock_resume(case, actor=COMPLAINANT, how=ClockPause.End.REPLY)
        else:
            casework.record_event(case, "customer_message", COMPLAINANT, from_state=case.state)
    return message


def complaint_send_message(*, complaint: Complaint, actor: Actor, body: str) -> Message:
    """Write to the complainant; it counts as a progress update and restarts that clock."""
    _require_staff(actor)
    _require_text(body, _("Write the message to the complainant."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if not case.is_open:
            raise TransitionRefused(
                action="write about", state=case.get_state_display(), reference=str(case)
            )
        before = casework.snapshot(case)
        _mark_contact(case, clock.now())
        casework.save_changes(case, before)
        message = Message.objects.create(
            complaint=case, direction=Message.Direction.TO_COMPLAINANT, author=actor.user, body=body
        )
        casework.record_event(case, "message_sent", actor, from_state=case.state)
        outbox.notify_complainant(
            case,
            Notification.Kind.MESSAGE,
            occurrence=outbox.for_record("message", message.pk),
            context={"message_id": message.pk},
        )
    return message


def complaint_add_note(*, complaint: Complaint, actor: Actor, body: str) -> Message:
    """Add an internal note: it never leaves the staff side."""
    _require_staff(actor)
    _require_text(body, _("Write the note."))
    with transaction.atomic():
        message = Message.objects.create(
            complaint=complaint,
            direction=Message.Direction.INTERNAL_NOTE,
            author=actor.user,
            body=body,
        )
        casework.record_event(
            complaint, "note_added", actor, from_state=complaint.state, public=False
        )
    return message


def complaint_respond(
    *,
    complaint: Complaint,
    actor: Actor,
    findings: str,
    actions: str,
    reasoning: str,
    outcome: str,
    remedies: list[str] | tuple[str, ...] = (),
    redress_amount: Decimal | None = None,
    redress_currency: str = "",
    redress_kind: str = "",
) -> Complaint:
    """Send the written response: findings, actions, remedy and the reasoning behind them.

    Its redress amount is an offer in the ledger (complaints.ledger). Above the handler's
    approval limit the offer waits for a second approver and so does the response: it is kept
    on the offer, sent when the offer is approved, and ledger.ResponseHeld says so (raised
    after the offer is committed).
    """
    _require_staff(actor)
    for text, label in ((findings, _("findings")), (reasoning, _("reasoning"))):
        _require_text(text, _("The response needs its %(part)s.") % {"part": label})
    if redress_amount is not None and redress_amount < 0:
        raise ComplaintError(_("A redress amount cannot be negative."))
    redress_currency = (redress_currency or settings.REDRESS_DEFAULT_CURRENCY).upper()
    offer = None

    def change(case: Complaint) -> None:
        now = clock.now()
        case.respond(
            at=now,
            findings=findings,
            actions=actions,
            remedies=list(remedies),
            redress_amount=redress_amount,
            redress_currency=redress_currency,
            reasoning=reasoning,
            outcome=outcome,
        )
        _mark_contact(case, now)
        deadlines.set_after_response(case)

    with transaction.atomic():
        if redress_amount:
            locked = casework.lock(complaint)
            if locked.state == State.INVESTIGATING:
                offer = ledger.offer_for_response(
                    locked,
                    actor,
                    amount=redress_amount,
                    currency=redress_currency,
                    kind=redress_kind or ledger.kind_for(tuple(remedies)),
                    held_response={
                        "findings": findings,
                        "actions": actions,
                        "reasoning": reasoning,
                        "outcome": outcome,
                        "remedies": list(remedies),
                    },
                )
        if offer is None or not offer.is_awaiting:
            case = casework.run_transition(complaint, "respond", actor, change)
            pauses.clock_resume(case, actor=actor, how=ClockPause.End.CLOSED)
            if offer is not None:
                ledger.offer_communicate(offer, at=case.responded_at or clock.now())
            # Checked as it would be sent: a response lacking what a rule pack requires is
            # refused here, and the transaction (the transition and the offer) rolls back.
            outbox.notify_complainant_checked(
                case, response_kind(case), occurrence=outbox.for_event(case.transition_event)
            )
            # The case now waits on the complainant: no more progress updates are owed.
            promises.promises_release(case, at=clock.now(), kinds=[PromiseKind.PROGRESS_UPDATE])
    if offer is not None and offer.is_awaiting:
        raise ledger.ResponseHeld(
            entry=offer,
            limit=ledger.approval_limit(user=actor.user, currency=offer.currency),
        )
    return case


def response_kind(case: Complaint) -> str:
    """Return what the response is sent as: a summary resolution communication when a rule pack
    says so (DISP 1.5: by close of the third business day after receipt), else a response."""
    until = rulepacks.summary_resolution_until(case)
    in_time = until is not None and case.responded_at is not None and case.responded_at <= until
    # A reopened case already had its summary: the next response is a full final response.
    if (
        in_time
        and not case.notifications.filter(kind=Notification.Kind.SUMMARY_RESOLUTION).exists()
    ):
        return Notification.Kind.SUMMARY_RESOLUTION
    return Notification.Kind.RESPONSE


def complaint_resolve(*, complaint: Complaint, actor: Actor, note: str = "") -> Complaint:
    """Close a responded case: the complainant accepted, the window lapsed, or staff closed it."""

    def change(case: Complaint) -> None:
        case.resolve(at=clock.now())
        deadlines.set_after_resolution(case)

    with transaction.atomic():
        case = casework.run_transition(complaint, "resolve", actor, change, note=note)
        pauses.clock_resume(case, actor=actor, how=ClockPause.End.CLOSED)
        if actor.is_complainant:
            # Accepting the response accepts the offers it told them of.
            ledger.offers_accept(case, actor, at=case.transition_event.created_at)
        outbox.notify_complainant(
            case, Notification.Kind.RESOLVED, occurrence=outbox.for_event(case.transition_event)
        )
        promises.promises_release(case, at=clock.now())
    return case


def complaint_withdraw(*, complaint: Complaint, actor: Actor, reason: str = "") -> Complaint:
    def change(case: Complaint) -> None:
        case.withdraw(at=clock.now())

    with transaction.atomic():
        case = casework.run_transition(complaint, "withdraw", actor, change, note=reason)
        pauses.clock_resume(case, actor=actor, how=ClockPause.End.CLOSED)
        reviews.end_on_withdrawal(case)
        outbox.notify_complainant(
            case, Notification.Kind.WITHDRAWN, occurrence=outbox.for_event(case.transition_event)
        )
        promises.promises_release(case, at=clock.now())
    return case


def complaint_reopen(*, complaint: Complaint, actor: Actor, reason: str) -> Complaint:
    _require_staff(actor)
    _require_text(reason, _("Say why the case is reopened."))

    def change(case: Complaint) -> None:
        if case.state == State.RESOLVED and not case.can_be_reopened():
            raise ComplaintError(
                _("Complaint %(reference)s can no longer be reopened: the policy's window closed.")
                % {"reference": case}
            )
        case.reopen(at=clock.now())

    with transaction.atomic():
        case = casework.run_transition(complaint, "reopen", actor, change, note=reason)
        # A reopened case is owed a new full response, counted from the reopening.
        now = case.transition_event.created_at
        promises.promise_make(
            case, PromiseKind.FULL_RESPONSE, promises.full_response_deadline(case, now), at=now
        )
        promises.promises_resume_updates(case, at=now)
    return case


def complaint_extend_deadline(
    *, complaint: Complaint, actor: Actor, resolve_by: dt.datetime, reason: str
) -> Complaint:
    """Move the full-response deadline later, keep the reason and tell the complainant."""
    _require_staff(actor)
    _require_text(reason, _("Give the reason the complainant will be told."))
    with transaction.atomic():
        case = casework.lock(complaint)
        _extend(case, actor, resolve_by, reason)
    return case


def complaint_mark_complex(*, complaint: Complaint, actor: Actor, reason: str) -> Complaint:
    """Flag the case complex: the policy's longer full-response deadline applies, from receipt."""
    _require_staff(actor)
    _require_text(reason, _("Say why the case is complex."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if case.is_complex:
            raise ComplaintError(
                _("Complaint %(reference)s is already complex.") % {"reference": case}
            )
        # The snapshot before the flag: _extend saves what changed since, the flag included.
        before = casework.snapshot(case)
        case.is_complex = True
        longer = deadlines.complex_resolve_by(case)
        if longer is not None and (case.resolve_by is None or longer.limit > case.resolve_by):
            _extend(case, actor, longer.limit, reason, aim=longer.aim, before=before)
        else:
            case.save(update_fields=["is_complex", "updated_at"])
            casework.record_event(
                case, "marked_complex", actor, from_state=case.state, note=reason, public=False
            )
    return case


def _extend(
    case: Complaint,
    actor: Actor,
    resolve_by: dt.datetime,
    reason: str,
    aim: dt.datetime | None = None,
    before: dict | None = None,
) -> None:
    if not case.is_open or case.responded_at is not None:
        raise ComplaintError(
            _("Complaint %(reference)s has no full-response deadline to extend.")
            % {"reference": case}
        )
    if case.resolve_by is not None and resolve_by <= case.resolve_by:
        raise ComplaintError(_("The new date must be later than the current one."))
    before = before or casework.snapshot(case)
    extension = DeadlineExtension.objects.create(
        complaint=case,
        deadline=DeadlineKind.RESOLVE,
        previous=case.resolve_by or resolve_by,
        new=resolve_by,
        reason=reason,
        actor=actor.user,
        created_at=clock.now(),
    )
    case.resolve_by, case.resolve_aim = resolve_by, aim
    _mark_contact(case, extension.created_at)
    casework.save_changes(case, before)
    promises.promise_extend(
        case,
        PromiseKind.FULL_RESPONSE,
        clock.Deadline(limit=resolve_by, aim=aim),
        reason=reason,
    )
    casework.record_event(case, "deadline_extended", actor, from_state=case.state, note=reason)
    outbox.notify_complainant(
        case,
        Notification.Kind.DEADLINE_EXTENDED,
        occurrence=outbox.for_record("extension", extension.pk),
        context={"extension_id": extension.pk},
    )


def complaint_resume_clock(*, complaint: Complaint, actor: Actor) -> Complaint:
    """Start the paused internal targets again before the complainant replied."""
    _require_staff(actor)
    with transaction.atomic():
        case = casework.lock(complaint)
        if pauses.clock_resume(case, actor=actor, how=ClockPause.End.RESUMED) is None:
            raise ComplaintError(
                _("The clock of %(reference)s is not paused.") % {"reference": case}
            )
    return case


def complaint_assign(*, complaint: Complaint, actor: Actor, handler) -> Complaint:
    """Give the case to `handler` (or take it off everyone with None)."""
    _require_staff(actor)
    with transaction.atomic():
        case = casework.lock(complaint)
        if case.handler_id == getattr(handler, "pk", None):
            return case
        if case.handler_id != complaint.handler_id:
            # Two staff assigning at once: the later one is told rather than winning silently.
            raise AssignedMeanwhile(
                reference=str(case),
                handler=str(Actor.staff(case.handler)) if case.handler else _("nobody"),
            )
        before = casework.snapshot(case)
        case.handler = handler
        casework.save_changes(case, before)
        name = str(Actor.staff(handler)) if handler else _("nobody")
        event = casework.record_event(
            case, "assigned", actor, from_state=case.state, note=name, public=False
        )
        if handler is not None and handler != actor.user:
            _notify_staff_assigned(case, event)
    return case


def complaint_rotate_token(*, complaint: Complaint, actor: Actor) -> Complaint:
    """Revoke the tracking link: the old one stops working at once.

    The complainant gets the new one by asking on the lookup page (or with the next email).
    """
    with transaction.atomic():
        case = casework.lock(complaint)
        ReplacedTrackingLink.objects.create(
            digest=token_digest(case.tracking_token), replaced_at=clock.now()
        )
        case.tracking_token = secrets.token_urlsafe(32)
        case.save(update_fields=["tracking_token", "updated_at"])
        case.transition_event = casework.record_event(
            case, "tracking_link_replaced", actor, from_state=case.state, public=False
        )
    return case


def complaint_letter_mark_posted(
    *, notification: Notification, actor: Actor, posted_at: dt.datetime | None = None
) -> Notification:
    """Record that `actor` posted a letter on the case (now, or at `posted_at`), once."""
    _require_staff(actor)
    if actor.user is None or not actor.user.has_perm("complaints.work_complaint"):
        raise NotPermitted(_("Only staff who work cases mark letters posted."))
    with transaction.atomic():
        try:
            notification = notification_mark_posted(
                notification=notification, posted_at=posted_at or clock.now(), user=actor.user
            )
        except LetterNotPostable as refusal:
            raise ComplaintError(str(refusal)) from refusal
        case = notification.complaint
        casework.record_event(
            case,
            "letter_posted",
            actor,
            from_state=case.state,
            note=str(notification.get_kind_display()),
            public=False,
        )
    return notification


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mark_contact(case: Complaint, at: dt.datetime) -> None:
    case.last_contact_at = at
    case.first_responded_at = case.first_responded_at or (at if case.acknowledged_at else None)


def _notify_staff_assigned(case: Complaint, event) -> None:
    outbox.notify_staff(
        case, Notification.Kind.STAFF_ASSIGNED, [case.handler], occurrence=outbox.for_event(event)
    )


def _require_staff(actor: Actor) -> None:
    if actor.kind != ActorKind.STAFF or actor.user is None:
        raise NotPermitted(_("Only staff can do this."))


def _require_text(text: str, message: str) -> None:
    if not (text or "").strip():
        raise ComplaintError(message)


# The public site: a fresh tracking link on request, and the complainant's rating at the end.


def tracking_link_request(*, reference: str, email: str) -> None:
    """Queue the lookup of a case by reference and email and the sending of its link."""
    transaction.on_commit(lambda: publish(tasks.send_tracking_link, [(reference, email)]))


def complaint_send_tracking_link(*, reference: str, email: str) -> bool:
    """Email the case's current link if `reference` and `email` match a case; return whether.

    Asked for on the lookup page, and run in a task so that the page does the same work whether
    or not they match. The current link stays valid: a stranger who knows both cannot break it
    by asking (revoking is a staff action). At most one such email per case per window.
    """
    complaint = Complaint.objects.filter(
        reference=reference, complainant_email__iexact=email
    ).first()
    if complaint is None:
        return False
    with transaction.atomic():
        window = int(clock.now().timestamp() // TRACKING_LINK_WINDOW.total_seconds())
        outbox.notify_complainant(
            complaint, Notification.Kind.TRACKING_LINK, occurrence=f"window-{window}"
        )
    return True


def complaint_rate(*, complaint: Complaint, rating: int, comment: str = "") -> Complaint:
    """Record the complainant's rating of the process (1 to 5), once, after resolution."""
    if rating not in range(1, 6):
        raise ComplaintError(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        case = casework.lock(complaint)
        if case.state != State.RESOLVED:
            raise TransitionRefused(
                action="rate", state=case.get_state_display(), reference=str(case)
            )
        if case.rated_at is not None:
            raise ComplaintError(_("You have already rated how we handled this complaint."))
        case.satisfaction_rating = rating
        case.satisfaction_comment = comment.strip()
        case.rated_at = clock.now()
        case.save(
            update_fields=["satisfaction_rating", "satisfaction_comment", "rated_at", "updated_at"]
        )
        casework.record_event(case, "rated", COMPLAINANT, from_state=case.state)
    return case


# The access log: who opened which case, file or export, and when.


def case_access_record(
    *,
    user,
    kind: str,
    complaint: Complaint | None = None,
    detail: str = "",
    address: str | None = None,
    seen_activity_at: dt.datetime | None = None,
) -> None:
    """Write one access log row; with `seen_activity_at`, also clear the case's new-activity
    marker if it still is that moment (a later reply keeps its marker).

    One statement either way on PostgreSQL (a data-modifying CTE does both), so opening a case
    costs the case page a single write.
    """
    at = clock.now()
    if connection.vendor != "postgresql":
        # The embedded SQLite setup: the model's own save, and a second statement if seen.
        CaseAccess.objects.create(
            complaint=complaint,
            user=user,
            username=user.get_username(),
            kind=kind,
            detail=detail[:255],
            address=address or None,
            at=at,
        )
        if seen_activity_at is not None and complaint is not None:
            Complaint.objects.filter(pk=complaint.pk, activity_at=seen_activity_at).update(
                activity_at=None
            )
        return
    # Written as SQL: the model's create (its __init__, save and signals, for a row nothing
    # else reads back) was a twentieth of the case page's time (bench/profile_pages.py).
    insert = (
        f"INSERT INTO {CaseAccess._meta.db_table}"
        " (complaint_id, user_id, username, kind, detail, address, at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    row = [
        complaint.pk if complaint is not None else None,
        user.pk,
        user.get_username(),
        kind,
        detail[:255],
        address or None,
        at,
    ]
    if seen_activity_at is None or complaint is None:
        with connection.cursor() as cursor:
            cursor.execute(insert, row)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH cleared AS (UPDATE {Complaint._meta.db_table} SET activity_at = NULL"
            f" WHERE id = %s AND activity_at = %s RETURNING id) {insert}",
            [complaint.pk, seen_activity_at, *row],
        )
