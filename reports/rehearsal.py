"""A policy rehearsal: a typical case's whole life under a policy, through the real services and
the real periodic jobs with time travelled, inside a transaction that is rolled back.

It lives with the reports because it keeps nothing and reads across every app (escalations
included). An organisation reads the result against its published text before it goes live:
every message with its date, recipient and words, every alert, every promise, kept or not.

Traps: time travel (time-machine) moves the clock of the whole process, so run a rehearsal in a
process of its own (the management command; the admin page starts one), never inside a web
worker that serves other requests. Mail goes to Django's in-memory backend and nothing is
published to the broker: the transaction never commits, so no on-commit hook fires.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings

from complaints import clock, jobs, services, tasks
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import Channel, PromiseKind, State
from complaints.models import Complaint, ComplaintPolicy, Promise
from complaints.roles import HANDLERS, SUPERVISORS
from escalations import services as escalation_services
from notifications import jobs as outbox_jobs
from notifications.models import Notification
from notifications.services import notification_deliver

BEAT = dt.timedelta(minutes=5)


class RehearsalFailed(Exception):
    """The rehearsal's own process failed or took too long; the message says how."""


def rehearsal_run(
    policy: ComplaintPolicy,
    *,
    received: dt.datetime | None = None,
    complex_case: bool = False,
    escalate: bool = False,
    reopen: bool = False,
    quick: bool = False,
    slow: bool = False,
    timeout: int = 300,
) -> str:
    """Run `rehearse_policy` in a process of its own (time travel must not touch this one's
    clock, which a web server shares between requests); return what it printed."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "rehearse_policy"]
    command.append(policy.slug)
    if received is not None:
        command += ["--received", received.strftime("%Y-%m-%d %H:%M")]
    chosen = (complex_case, escalate, reopen, quick, slow)
    command += [flag for flag, on in FLAGS.items() if chosen[on]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RehearsalFailed(f"The rehearsal took longer than {timeout} seconds.") from exc
    if done.returncode != 0:
        raise RehearsalFailed(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return done.stdout


FLAGS = {"--complex": 0, "--escalate": 1, "--reopen": 2, "--quick": 3, "--slow": 4}


class Rollback(Exception):
    """Raised to leave the rehearsal's transaction without keeping anything."""


@dataclass
class Entry:
    at: dt.datetime
    what: str
    detail: str = ""


@dataclass
class Rehearsal:
    policy: ComplaintPolicy
    entries: list[Entry] = field(default_factory=list)
    promises: list[dict] = field(default_factory=list)

    def render(self, *, brief: bool = False) -> str:
        """Return the life as text; `brief` leaves out the messages' words."""
        zone = self.policy.calendar().tz
        lines = [f"Rehearsal of “{self.policy.name}” ({self.policy.slug}), times in {zone.key}", ""]
        for entry in sorted(self.entries, key=lambda entry: entry.at):
            lines.append(f"{entry.at.astimezone(zone):%a %Y-%m-%d %H:%M}  {entry.what}")
            if not brief:
                lines.extend(f"    {line}" for line in entry.detail.splitlines())
        lines += ["", "Promises:"]
        for promise in self.promises:
            limit = promise["limit"].astimezone(zone)
            if promise["kept_at"]:
                verdict = "kept in time" if promise["kept_at"] <= promise["limit"] else "KEPT LATE"
                kept = f"{verdict} {promise['kept_at'].astimezone(zone):%a %Y-%m-%d %H:%M}"
            elif promise["released_at"]:
                kept = f"no longer owed from {promise['released_at'].astimezone(zone):%Y-%m-%d}"
            else:
                kept = "open"
            lines.append(
                f"  {promise['label']:<24} #{promise['occurrence']}  by {limit:%a %Y-%m-%d %H:%M}"
                f"  {kept}"
            )
        return "\n".join(lines) + "\n"


def rehearse_policy(
    policy: ComplaintPolicy,
    *,
    received: dt.datetime,
    complex_case: bool = False,
    escalate: bool = False,
    reopen: bool = False,
    quick: bool = False,
    slow: bool = False,
) -> Rehearsal:
    """Run a typical case's life under `policy` from `received`; keep nothing.

    `quick`: the handler responds the next business day, with no question asked (under DISP a
    summary resolution communication). `slow`: the handler responds only just before the
    regulator's limit (under DISP the holding reply goes out first, by the sweep).
    """
    rehearsal = Rehearsal(policy=policy)
    backend = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(EMAIL_BACKEND=backend), time_machine.travel(received, tick=False) as t:
        mail.outbox = []
        try:
            with transaction.atomic():
                life = _Life(rehearsal, t, complex_case, escalate, reopen)
                life.quick, life.slow = quick, slow
                life.run()
                raise Rollback
        except Rollback:
            pass
    return rehearsal


def _staff_member(role: str, name: str, group: str):
    first_name, last_name = name.split()
    user = get_user_model().objects.create(
        username=f"rehearsal-{role}",
        first_name=first_name,
        last_name=last_name,
        email=f"{role}@rehearsal.invalid",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group))
    return user


class _Life:
    def __init__(self, rehearsal: Rehearsal, traveller, complex_case, escalate, reopen) -> None:
        self.rehearsal, self.traveller = rehearsal, traveller
        self.complex_case, self.escalate, self.reopen = complex_case, escalate, reopen
        self.policy = rehearsal.policy
        self.seen_notifications: set[int] = set()
        self.quick = self.slow = False

    def run(self) -> None:
        handler, supervisor, reviewer = (
            _staff_member(username, name, group)
            for username, name, group in (
                ("handler", "Hana Berg", HANDLERS),
                ("supervisor", "Sam Okafor", SUPERVISORS),
                ("reviewer", "Rita Moss", SUPERVISORS),
            )
        )
        staff = Actor.staff(handler)

        case = services.complaint_submit(
            channel=Channel.WEB,
            complainant_name="Rosa Example",
            complainant_email="rosa@rehearsal.invalid",
            description="I was charged twice for my subscription in April.",
            language="",  # the policy's language for its complainants
            policy=self.policy,
        )
        case = services.complaint_assign(complaint=case, actor=staff, handler=handler)
        self.note("received", f"by {case.get_channel_display()}, reference {case}")
        # What the submission's on-commit hook does in production (this transaction never commits).
        tasks.acknowledge_complaint(case.pk)
        self.beat()
        case = self.after(hours=2, case=case)
        case = services.complaint_start_investigation(complaint=case, actor=staff)
        self.note("handler starts the investigation")
        if not self.quick:
            case = self.after(business_days=1, case=case)
            services.complaint_request_information(
                complaint=case, actor=staff, body="Which card was charged twice?"
            )
            self.note("handler asks for information")
            case = self.after(business_days=1, case=case)
            services.complaint_record_customer_reply(complaint=case, body="The Visa ending 4242.")
            self.note("complainant replies")
        if self.complex_case:
            case = self.after(hours=3, case=case)
            services.complaint_mark_complex(
                complaint=case, actor=staff, reason="We need the payment provider's records."
            )
            self.note("handler marks the case complex")
        case = self.respond(case, staff)
        if self.escalate:
            case = self.after(business_days=2, case=case)
            escalation = escalation_services.escalation_request(
                complaint=case, actor=COMPLAINANT, grounds="The refund does not cover the fees."
            )
            self.note("complainant asks for a review")
            case = self.after(hours=4, case=case)
            escalation_services.escalation_assign_reviewer(
                escalation=escalation, actor=Actor.staff(supervisor), reviewer=reviewer
            )
            self.note("supervisor assigns an independent reviewer")
            review = case.promises.get(kind=PromiseKind.REVIEW)
            case = self.until(review.aim or review.limit - dt.timedelta(days=1), case)
            escalation.refresh_from_db()
            escalation_services.escalation_decide(
                escalation=escalation,
                actor=Actor.staff(reviewer),
                decision="changed",
                reasoning="The fees followed from our error.",
                final_response="We also refund the bank's fees of 12.50.",
                revised_redress_amount=Decimal("12.50"),
            )
            self.note("reviewer decides: response changed")
        else:
            case = self.after(business_days=2, case=case)
            services.complaint_resolve(complaint=case, actor=COMPLAINANT, note="Accepted.")
            self.note("complainant accepts the response")
        case = self.after(hours=1, case=case)
        if self.reopen and case.can_be_reopened():
            case = self.after(business_days=3, case=case)
            case = services.complaint_reopen(complaint=case, actor=staff, reason="New evidence.")
            self.note("handler reopens the case")
            case = self.respond(case, staff)
            case = self.after(business_days=1, case=case)
            services.complaint_resolve(complaint=case, actor=staff, note="Closed again.")
            self.note("handler closes the case")
        self.after(hours=self._survey_hours(), case=case)
        self.rehearsal.promises = [
            {
                "label": str(promise.get_kind_display()),
                "occurrence": promise.occurrence,
                "limit": promise.limit,
                "kept_at": promise.kept_at,
                "released_at": promise.released_at,
            }
            for promise in Promise.objects.filter(complaint=case).order_by("limit", "pk")
        ]

    def respond(self, case: Complaint, staff: Actor) -> Complaint:
        full = case.promises.filter(kind=PromiseKind.FULL_RESPONSE).order_by("-occurrence").first()
        final = case.promises.filter(kind=PromiseKind.FINAL_RESPONSE, kept_at=None).first()
        if self.quick:
            case = self.after(business_days=1, case=case)
        elif self.slow and final is not None:
            # Past the holding reply's aim: the sweep writes it, then the final response comes
            # just before the limit the holding reply gave.
            case = self.until(final.limit - dt.timedelta(days=1), case)
            final.refresh_from_db()
            case = self.until(final.limit - dt.timedelta(hours=6), case)
        elif self.slow and full is not None:
            case = self.until(full.limit - dt.timedelta(hours=6), case)
        elif full is not None:
            case = self.until(full.aim or full.limit - dt.timedelta(days=1), case)
        case = services.complaint_respond(
            complaint=case,
            actor=staff,
            findings="You were charged twice on 3 April.",
            actions="We refunded the second charge.",
            reasoning="Our payment records show the same charge twice.",
            outcome="upheld",
            remedies=["refund"],
        )
        self.note("handler sends the response")
        return case

    # Time passing, with the beat and the worker running as they do.

    def after(self, *, case: Complaint, hours: float = 0, business_days: int = 0) -> Complaint:
        until = clock.now() + dt.timedelta(hours=hours)
        if business_days:
            until = self.policy.calendar().add_from_day_of(until, business_days, "business_days")
            until -= dt.timedelta(hours=3)
        return self.until(until, case)

    def until(self, moment: dt.datetime, case: Complaint) -> Complaint:
        moment = max(moment, clock.now())
        while (due := self._next_due(case, moment)) is not None:
            self.traveller.move_to(due)
            self.beat()
        self.traveller.move_to(moment)
        self.beat()
        return Complaint.objects.select_related("policy").get(pk=case.pk)

    def _next_due(self, case: Complaint, until: dt.datetime) -> dt.datetime | None:
        now, moments = clock.now(), []
        for promise in Promise.objects.filter(
            complaint=case, kept_at__isnull=True, released_at__isnull=True
        ):
            moments += [promise.limit + dt.timedelta(seconds=1), promise.aim, promise.due_soon_at]
        fresh = Complaint.objects.get(pk=case.pk)
        if fresh.state == State.RESPONDED:
            moments.append(fresh.auto_resolve_at)
        moments += list(
            Notification.objects.filter(complaint=case, status="pending")
            .exclude(next_attempt_at=None)
            .values_list("next_attempt_at", flat=True)
        )
        later = [m + BEAT for m in moments if m is not None and now < m + BEAT <= until]
        return min(later) if later else None

    def beat(self) -> None:
        jobs.complaints_acknowledge_received()
        jobs.progress_updates_send()
        jobs.holding_replies_send()
        jobs.promise_alerts_send()
        jobs.responses_auto_resolve()
        outbox_jobs.notifications_dispatch()
        for pk in Notification.objects.filter(status="pending", next_attempt_at=None).values_list(
            "pk", flat=True
        ):
            notification_deliver(notification_id=pk)
        self._record_sent()

    def _record_sent(self) -> None:
        by_message_id = {m.extra_headers.get("Message-ID"): m for m in mail.outbox}
        for notification in Notification.objects.filter(status="sent").exclude(
            pk__in=self.seen_notifications
        ):
            self.seen_notifications.add(notification.pk)
            email = by_message_id.get(notification.message_id)
            staff = notification.recipient_user_id is not None
            kind = "ALERT" if staff else "EMAIL"
            detail = "" if staff or email is None else email.body.strip()
            self.rehearsal.entries.append(
                Entry(
                    notification.sent_at or clock.now(),
                    f"{kind} to {notification.recipient}: {notification.subject}",
                    detail,
                )
            )

    def note(self, what: str, detail: str = "") -> None:
        self.rehearsal.entries.append(Entry(clock.now(), what.upper(), detail))
        # The worker sends what the step wrote at once, as its on-commit tasks would.
        self.beat()

    @staticmethod
    def _survey_hours() -> float:
        return settings.REDRESS_SURVEY_DELAY_HOURS + 1
