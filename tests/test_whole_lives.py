"""Whole case lives on the five published policies, driven at random, checked after every step.

Hypothesis's RuleBasedStateMachine drives one case per example through random sequences of what
complainants, handlers and supervisors do, with random time between them, while the beat's jobs
run as the beat runs them (every job at every moment something falls due, each run twice to show
it is idempotent) and the worker sends the mail. After every step these invariants hold:

1. Every promise whose limit passed was kept by its limit, released before it, or has exactly one
   breach alert (one per recipient, marked once on the promise).
2. Progress updates are never late: each update promise is kept by its limit or released first,
   so no two messages to an open case are further apart than the policy's update interval.
3. No message states a date already past: every progress update, as rendered, names as the next
   date we owe and as its next update only moments after the moment it was written out.
4. Every owed message is sent exactly once: one email per sent outbox row, none left pending
   once the worker has run, and no two rows for one occurrence (the dedupe key).
5. Stored deadlines equal the clock's computation: a case's first acknowledgement, first
   response and full response promises are what the clock computes from receipt (extensions
   aside), and the queue's cache equals the earliest open promise.
6. Each change has its history row: the newest historical record of the case matches it
   (no `.update()` bypassed django-simple-history on a tracked field).
7. Under a rule pack (E keeps DISP, B keeps VSBG): every sent acknowledgement, response, summary
   resolution, holding reply and final response carries every statement its packs require, as
   rendered; a first response by close of the third business day after receipt went out as a
   summary resolution communication and no other response did (a response after a reopening is
   a full final response); the holding reply was sent (or no longer owed) by the regulatory
   limit, by the sweep if nobody wrote it; and the regulator's promises stay where receipt put
   them (only a holding reply moves the final response, never an extension). E's cases are
   payment services at random (15 business days, at most 35 with a holding reply).
8. The two clocks: a case's internal clock is paused exactly while it has an open pause, only
   the organisation's own targets pause and none is alerted while paused; the regulator's
   promises move only by a regulator's suspension, by exactly what it recorded.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.test.signals import template_rendered
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from complaints import (
    clock,
    holding_replies,
    jobs,
    pauses,
    promise_records,
    rulepacks,
    services,
    suspensions,
)
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import (
    CASEWORK_PROMISES,
    OPEN_STATES,
    REGULATORY_PROMISES,
    PromiseKind,
    State,
    TargetKind,
)
from complaints.exceptions import ComplaintError
from complaints.models import Category, Complaint, ComplaintPolicy, Promise
from complaints.presets import PRESETS, preset_load
from complaints.rulepacks.check import statements_missing
from complaints.rulepacks.disp import DISP
from escalations.models import Escalation
from escalations.services import escalation_assign_reviewer, escalation_decide, escalation_request
from notifications import jobs as outbox_jobs
from notifications.models import Notification
from tests.cases import deliver_pending
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.whole_life]

# The beat runs the lifecycle jobs every 5 minutes: a job runs this long after a moment falls due.
BEAT_DELAY = dt.timedelta(minutes=5)
HISTORY_FIELDS = ("state", "handler_id", "is_complex", "resolve_by", "responded_at", "closed_at")


class CaseLife(RuleBasedStateMachine):
    """One complaint's life under one policy; see the module docstring for the invariants."""

    preset = PRESETS[0]

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        mail.outbox = []
        self.rendered_updates: list[tuple[dt.datetime, dict]] = []
        template_rendered.connect(self._on_render)
        self.traveller = None
        self.checked: set[int] = set()

    @initialize(
        start=st.datetimes(min_value=dt.datetime(2027, 1, 1), max_value=dt.datetime(2027, 12, 20)),
        complex_case=st.booleans(),
        payment=st.booleans(),
    )
    def receive(self, start: dt.datetime, complex_case: bool, payment: bool) -> None:
        assert not Complaint.objects.exists(), "an earlier example's case was not rolled back"
        self.policy, _written = preset_load(self.preset)
        self.handler = HandlerFactory(username="hana", first_name="Hana", last_name="Berg")
        self.supervisor = SupervisorFactory(username="sam")
        self.reviewer = SupervisorFactory(username="rita")
        self.staff = Actor.staff(self.handler)
        self.traveller = time_machine.travel(start.replace(tzinfo=dt.UTC), tick=False)
        self.clock = self.traveller.start()
        category = None
        if payment and rulepacks.has_clock(self.policy):
            category = Category.objects.create(
                name="Payments", slug="payments", policy=self.policy, is_payment_service=True
            )
        self.case = services.complaint_submit(
            channel="web",
            complainant_name="Rosa Diaz",
            complainant_email="rosa@example.com",
            description="I was charged twice.",
            policy=self.policy,
            category=category,
        )
        self.case = services.complaint_assign(
            complaint=self.case, actor=self.staff, handler=self.handler
        )
        self.complex_case = complex_case
        self._beat()

    def teardown(self) -> None:
        template_rendered.disconnect(self._on_render)
        if self.traveller is not None:
            self.traveller.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # The world between people's actions: time passes, the beat and the worker run.

    def _on_render(self, sender, template, context, **kwargs) -> None:
        if template.name == "notifications/email/progress_update.txt":
            self.rendered_updates.append((clock.now(), context.flatten()))

    def _beat(self) -> None:
        for _run in range(2):
            jobs.complaints_acknowledge_received()
            jobs.progress_updates_send()
            jobs.holding_replies_send()
            jobs.promise_alerts_send()
            jobs.responses_auto_resolve()
            outbox_jobs.notifications_dispatch()
        deliver_pending()

    def _next_moment(self, until: dt.datetime) -> dt.datetime | None:
        """Return the next moment a job has work, before `until`."""
        now = clock.now()
        moments = []
        for promise in Promise.objects.filter(
            complaint=self.case, kept_at__isnull=True, released_at__isnull=True
        ):
            moments += [promise.limit + dt.timedelta(seconds=1)]
            if promise.aim:
                moments.append(promise.aim)
            if not promise.due_soon_alerted_at:
                moments.append(promise.due_soon_at)
        case = Complaint.objects.get(pk=self.case.pk)
        if case.state == State.RESPONDED and case.auto_resolve_at:
            moments.append(case.auto_resolve_at)
        moments = [moment for moment in moments if now < moment + BEAT_DELAY <= until]
        return min(moments) + BEAT_DELAY if moments else None

    def _wait(self, hours: float) -> None:
        until = clock.now() + dt.timedelta(hours=hours)
        while (moment := self._next_moment(until)) is not None:
            self.clock.move_to(moment)
            self._beat()
        self.clock.move_to(until)
        self._beat()

    def _reload(self) -> Complaint:
        self.case = Complaint.objects.select_related("policy").get(pk=self.case.pk)
        return self.case

    def _in(self, *states: str) -> bool:
        return self._reload().state in states

    # What people do, each after some time.

    @rule(hours=st.floats(min_value=0.1, max_value=96))
    def time_passes(self, hours: float) -> None:
        self._wait(hours)

    @precondition(lambda self: self._in(State.ACKNOWLEDGED))
    @rule(hours=st.floats(min_value=0, max_value=48))
    def handler_starts(self, hours: float) -> None:
        self._wait(hours)
        if self._in(State.ACKNOWLEDGED):
            services.complaint_start_investigation(complaint=self.case, actor=self.staff)
            self._beat()

    @precondition(lambda self: self._in(State.INVESTIGATING))
    @rule(hours=st.floats(min_value=0, max_value=72), ask=st.booleans())
    def handler_writes(self, hours: float, ask: bool) -> None:
        self._wait(hours)
        if not self._in(State.INVESTIGATING):
            return
        if ask and not self.case.awaiting_information:
            services.complaint_request_information(
                complaint=self.case, actor=self.staff, body="Which card was charged?"
            )
        else:
            services.complaint_send_message(
                complaint=self.case, actor=self.staff, body="We have asked the bank."
            )
        self._beat()

    @precondition(lambda self: self._in(*promise_records.UPDATING_STATES))
    @rule(hours=st.floats(min_value=0, max_value=72))
    def complainant_writes(self, hours: float) -> None:
        self._wait(hours)
        if self._in(*promise_records.UPDATING_STATES):
            services.complaint_record_customer_reply(complaint=self.case, body="More detail.")
            self._beat()

    @precondition(lambda self: self._in(State.INVESTIGATING))
    @rule(days=st.integers(min_value=1, max_value=20))
    def handler_extends(self, days: int) -> None:
        case = self._reload()
        if self.complex_case and not case.is_complex:
            services.complaint_mark_complex(complaint=case, actor=self.staff, reason="Complex.")
        elif case.resolve_by is not None:
            services.complaint_extend_deadline(
                complaint=case,
                actor=self.staff,
                resolve_by=max(case.resolve_by, clock.now()) + dt.timedelta(days=days),
                reason="We are waiting for the bank's records.",
            )
        self._beat()

    @precondition(
        lambda self: (
            self._in(*holding_replies.OWING_STATES)
            and rulepacks.has_clock(self.case.policy)
            and not self.case.notifications.filter(kind=Notification.Kind.HOLDING_REPLY).exists()
        )
    )
    @rule(hours=st.floats(min_value=0, max_value=480), days=st.integers(min_value=1, max_value=60))
    def handler_sends_holding_reply(self, hours: float, days: int) -> None:
        self._wait(hours)
        if not self._in(*holding_replies.OWING_STATES):
            return
        expected_by = clock.now() + dt.timedelta(days=days)
        longest = rulepacks.longest_holding_date(self.case)
        before = Notification.objects.count(), list(self.case.promises.values_list("limit"))
        try:
            holding_replies.complaint_send_holding_reply(
                complaint=self.case,
                actor=self.staff,
                reasons="We are waiting for the card scheme.",
                expected_by=expected_by,
            )
        except ComplaintError:
            # Refused (past DISP 1.6.2A's 35 business days, or written meanwhile): nothing moved.
            assert (longest is not None and expected_by > longest) or not self.case.promises.filter(
                kind=PromiseKind.HOLDING_REPLY, kept_at=None, released_at=None
            ).exists()
            after = Notification.objects.count(), list(self.case.promises.values_list("limit"))
            assert after == before
        else:
            assert longest is None or expected_by <= longest
        self._beat()

    @precondition(lambda self: self._in(State.INVESTIGATING))
    @rule(hours=st.floats(min_value=0, max_value=240))
    def handler_responds(self, hours: float) -> None:
        self._wait(hours)
        if self._in(State.INVESTIGATING):
            services.complaint_respond(
                complaint=self.case,
                actor=self.staff,
                findings="We charged you twice.",
                actions="We refunded one charge.",
                reasoning="Our records show two charges.",
                outcome="upheld",
            )
            self._beat()

    @precondition(lambda self: self._in(State.RESPONDED))
    @rule(hours=st.floats(min_value=0, max_value=200), accept=st.booleans())
    def complainant_answers(self, hours: float, accept: bool) -> None:
        self._wait(hours)
        if not self._in(State.RESPONDED):
            return
        if accept:
            services.complaint_resolve(complaint=self.case, actor=COMPLAINANT)
        elif (
            self.case.escalate_until is None or clock.now() <= self.case.escalate_until
        ) and not self.case.escalations.filter(state=Escalation.State.DECIDED).exists():
            escalation_request(complaint=self.case, actor=COMPLAINANT, grounds="Not fair.")
        self._beat()

    @precondition(
        lambda self: (
            self._in(State.ACKNOWLEDGED, State.INVESTIGATING)
            and not self.case.escalations.filter(state=Escalation.State.DECIDED).exists()
        )
    )
    @rule()
    def handler_escalates(self) -> None:
        escalation_request(complaint=self.case, actor=self.staff, grounds="A senior view.")
        self._beat()

    @precondition(lambda self: self._in(State.ESCALATED))
    @rule(hours=st.floats(min_value=0, max_value=200), assign=st.booleans())
    def supervisor_reviews(self, hours: float, assign: bool) -> None:
        escalation = Escalation.objects.get(
            complaint=self.case, state__in=["requested", "under_review"]
        )
        if assign and escalation.reviewer_id is None:
            escalation_assign_reviewer(
                escalation=escalation, actor=Actor.staff(self.supervisor), reviewer=self.reviewer
            )
            self._beat()
            return
        self._wait(hours)
        if self._in(State.ESCALATED):
            escalation.refresh_from_db()
            decider = self.reviewer if escalation.reviewer_id else self.supervisor
            escalation_decide(
                escalation=escalation,
                actor=Actor.staff(decider),
                decision="upheld",
                reasoning="The refund matched.",
                final_response="We stand by our response.",
            )
            self._beat()

    @precondition(lambda self: self._in(State.RESOLVED))
    @rule(hours=st.floats(min_value=0, max_value=400))
    def handler_reopens(self, hours: float) -> None:
        self._wait(hours)
        if self._in(State.RESOLVED) and self.case.can_be_reopened():
            services.complaint_reopen(complaint=self.case, actor=self.staff, reason="New evidence.")
            self._beat()

    @precondition(lambda self: self._in(*promise_records.UPDATING_STATES, State.RESPONDED))
    @rule()
    def complainant_withdraws(self) -> None:
        services.complaint_withdraw(complaint=self.case, actor=COMPLAINANT, reason="Sorted.")
        self._beat()

    # The two clocks: a supervisor turns on pausing while we wait on the complainant (the
    # handler's questions then pause the internal targets), a handler resumes a paused clock,
    # and a regulator suspends its deadline for a class of cases that includes this one.

    @precondition(
        lambda self: (
            self._in(*OPEN_STATES) and not self.case.policy.pause_while_awaiting_complainant
        )
    )
    @rule()
    def supervisor_turns_on_pausing(self) -> None:
        policy = ComplaintPolicy.objects.get(pk=self.case.policy_id)
        policy.pause_while_awaiting_complainant = True
        policy.save(update_fields=["pause_while_awaiting_complainant"])

    @precondition(lambda self: self._in(State.INVESTIGATING) and self.case.clock_paused_at)
    @rule(hours=st.floats(min_value=0, max_value=120))
    def handler_resumes_the_clock(self, hours: float) -> None:
        self._wait(hours)
        if self._in(State.INVESTIGATING) and self.case.clock_paused_at is not None:
            services.complaint_resume_clock(complaint=self.case, actor=self.staff)
            self._beat()

    @precondition(
        lambda self: (
            self._in(*OPEN_STATES)
            and self.case.promises.filter(
                kind__in=REGULATORY_PROMISES, kept_at=None, released_at=None
            ).exists()
        )
    )
    @rule(starts=st.integers(min_value=-40, max_value=20), days=st.integers(0, 90))
    def regulator_suspends(self, starts: int, days: int) -> None:
        first = clock.now().date() + dt.timedelta(days=starts)
        suspensions.suspension_create(
            complaints=[self.case],
            actor=Actor.staff(self.supervisor),
            reason="The regulator paused the deadline for this class of complaints.",
            reference="FCA PS24/1 motor finance",
            starts_on=first,
            until=first + dt.timedelta(days=days),
        )
        self._beat()

    # The invariants.

    @invariant()
    def promises_are_kept_or_alerted_once(self) -> None:
        if self.traveller is None:
            return
        now = clock.now()
        for promise in Promise.objects.filter(
            complaint=self.case, limit__lt=now - BEAT_DELAY, paused_at__isnull=True
        ):
            in_time = (promise.kept_at and promise.kept_at <= promise.limit) or (
                promise.released_at and promise.released_at <= promise.limit
            )
            alerts = Notification.objects.filter(
                kind=Notification.Kind.STAFF_BREACHED,
                dedupe_key__contains=f":promise-{promise.pk}-breach-{promise.limit:%Y%m%dT%H%M}",
            ).values_list("recipient", flat=True)
            if in_time:
                assert not alerts, f"{promise} kept in time but alerted"
                continue
            assert promise.kind != PromiseKind.PROGRESS_UPDATE, f"update late: {promise}"
            assert promise.breach_alerted_at is not None, f"{promise} late and never alerted"
            assert alerts and len(alerts) == len(set(alerts)), f"{promise}: {list(alerts)}"

    @invariant()
    def updates_state_no_past_date(self) -> None:
        for moment, context in self.rendered_updates:
            stated = [context.get("next_promise"), context.get("next_update")]
            for item in filter(None, stated):
                assert item.limit >= moment, f"an update at {moment} states {item.limit}"

    @invariant()
    def every_message_is_sent_exactly_once(self) -> None:
        if self.traveller is None:
            return
        ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
        assert all(count == 1 for count in ids.values()), ids.most_common(3)
        sent = Notification.objects.filter(complaint=self.case, status="sent").count()
        assert sent == len(mail.outbox)
        pending = Notification.objects.filter(
            complaint=self.case, status="pending", next_attempt_at__isnull=True
        )
        assert not pending.exists(), list(pending.values_list("kind", flat=True))

    @invariant()
    def stored_deadlines_are_the_clocks(self) -> None:
        if self.traveller is None:
            return
        case = self._reload()
        policy, start = case.policy, case.received_at
        first = {
            PromiseKind.ACKNOWLEDGEMENT: clock.deadline_for(policy, TargetKind.ACKNOWLEDGE, start),
            PromiseKind.FIRST_RESPONSE: clock.deadline_for(
                policy, TargetKind.FIRST_RESPONSE, start
            ),
        }
        # A pause moves the full response later (complaints.pauses), silently once the case
        # moved on.
        if not case.extensions.exists() and not case.is_complex and not case.pauses.exists():
            first[PromiseKind.FULL_RESPONSE] = clock.deadline_for(policy, TargetKind.RESOLVE, start)
        for kind, deadline in first.items():
            promise = case.promises.filter(kind=kind, occurrence=1).first()
            assert (promise is None) == (deadline is None), kind
            if promise is not None:
                assert (promise.limit, promise.aim) == (deadline.limit, deadline.aim), kind
        open_casework = case.promises.filter(
            kept_at__isnull=True,
            released_at__isnull=True,
            paused_at__isnull=True,
            kind__in=CASEWORK_PROMISES,
        ).order_by("limit")
        assert case.next_deadline == (open_casework[0].limit if open_casework else None)

    @invariant()
    def the_two_clocks_hold(self) -> None:
        if self.traveller is None:
            return
        case = self._reload()
        open_pause = case.pauses.filter(ended_at__isnull=True).first()
        assert (case.clock_paused_at is None) == (open_pause is None)
        if open_pause is not None:
            assert case.state == State.INVESTIGATING and case.awaiting_information
        paused = case.promises.filter(paused_at__isnull=False, kept_at=None, released_at=None)
        assert all(promise.kind in pauses.PAUSABLE for promise in paused)
        assert not paused.filter(breach_alerted_at__gte=F("paused_at")).exists()
        received = rulepacks.regulatory_deadline(case) or DISP.regulatory_deadline(case)
        suspended = sum(case.suspended_in.values_list("moved_by", flat=True), dt.timedelta(0))
        held = case.notifications.filter(kind=Notification.Kind.HOLDING_REPLY).exists()
        for promise in case.promises.filter(kind__in=REGULATORY_PROMISES, occurrence=1):
            assert promise.paused_at is None
            if held and promise.kind == PromiseKind.FINAL_RESPONSE:
                continue  # a holding reply gave it the date it states (rule_packs_are_kept)
            if received is not None and promise.created_at == case.received_at:
                assert moved_only_by_suspensions(promise, received.limit, suspended), promise
        assert case.regulatory_deadline == min(
            (
                promise.limit
                for promise in case.promises.filter(
                    kind__in=REGULATORY_PROMISES, kept_at=None, released_at=None
                )
            ),
            default=None,
        )

    @invariant()
    def history_has_every_change(self) -> None:
        if self.traveller is None:
            return
        case = self._reload()
        latest = case.history.order_by("-history_date", "-history_id").first()
        for name in HISTORY_FIELDS:
            assert getattr(latest, name) == getattr(case, name), (
                name,
                list(
                    case.history.order_by("history_date").values_list("history_date", "state", name)
                ),
            )

    @invariant()
    def rule_packs_are_kept(self) -> None:
        if self.traveller is None:
            return
        case = self._reload()
        K = Notification.Kind
        sent = list(
            case.notifications.filter(status="sent", recipient_user__isnull=True).order_by(
                "created_at", "pk"
            )
        )
        for notification in sent:
            if notification.pk not in self.checked:
                missing = statements_missing(notification)
                assert not missing, (notification.kind, missing)
                self.checked.add(notification.pk)
        # A summary resolution communication exactly for a first response in three business days.
        until = rulepacks.summary_resolution_until(case)
        reopened = case.events.filter(action="reopen").order_by("created_at").first()
        for notification in sent:
            if notification.kind not in (K.RESPONSE, K.SUMMARY_RESOLUTION):
                continue
            first = reopened is None or notification.created_at < reopened.created_at
            quick = until is not None and first and notification.created_at <= until
            assert notification.kind == (K.SUMMARY_RESOLUTION if quick else K.RESPONSE), (
                notification.kind,
                notification.created_at,
                until,
            )
        now = clock.now()
        regulatory = (
            rulepacks.regulatory_deadline(case) if rulepacks.has_clock(case.policy) else None
        )
        holding = case.promises.filter(kind=PromiseKind.HOLDING_REPLY).first()
        final = case.promises.filter(kind=PromiseKind.FINAL_RESPONSE).first()
        assert (holding is None) == (final is None) == (regulatory is None)
        if regulatory is None:
            return
        # Where receipt put them; only a holding reply moves the final response, and a
        # regulator's suspension both (the_two_clocks_hold).
        suspended = sum(case.suspended_in.values_list("moved_by", flat=True), dt.timedelta(0))
        assert moved_only_by_suspensions(holding, regulatory.limit, suspended), holding
        if not case.notifications.filter(kind=K.HOLDING_REPLY).exists():
            assert moved_only_by_suspensions(final, regulatory.limit, suspended), final
        if holding.limit < now - BEAT_DELAY:
            assert (holding.kept_at and holding.kept_at <= holding.limit) or (
                holding.released_at and holding.released_at <= holding.limit
            ), f"holding reply late: {holding}, {case.state}"


def moved_only_by_suspensions(promise, limit: dt.datetime, suspended: dt.timedelta) -> bool:
    """Return whether a regulatory promise sits where receipt put it, moved by no more than the
    regulator's suspensions of the case (one kept before a suspension began did not move)."""
    if not suspended:
        return promise.limit == limit
    return dt.timedelta(0) <= promise.limit - limit <= suspended


def life_under(preset):
    return type(f"CaseLifeUnder{preset.slug[0].upper()}", (CaseLife,), {"preset": preset})


@pytest.mark.parametrize("preset", PRESETS, ids=[preset.slug for preset in PRESETS])
def test_whole_lives_keep_every_promise(preset, db):
    life = life_under(preset)
    life.TestCase.settings = settings(
        max_examples=int(os.environ.get("WHOLE_LIFE_EXAMPLES", "6")),
        stateful_step_count=25,
        deadline=None,
        derandomize=True,
        # Shrinking a failing life can take minutes; WHOLE_LIFE_SHRINK=0 skips it while debugging.
        phases=[
            p for p in Phase if p != Phase.shrink or os.environ.get("WHOLE_LIFE_SHRINK") != "0"
        ],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    life.TestCase().runTest()
