"""Two clocks: internal targets pause while we wait on the complainant; the regulator's never.

On the English calendar of preset E, with the DISP final response and holding reply made at
receipt as the DISP pack makes them (tests/regulatory.py).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import clock, jobs, services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.clock import BusinessCalendar, Unit
from complaints.exceptions import ComplaintError
from complaints.models import ClockPause, Complaint, DeadlineExtension
from complaints.presets import preset_by_slug, preset_load
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory
from tests.regulatory import regulatory_promises_make

LONDON = ZoneInfo("Europe/London")
ENGLAND = BusinessCalendar(country="GB", subdivision="ENG", time_zone="Europe/London")
INTERNAL = (PromiseKind.FIRST_RESPONSE, PromiseKind.FULL_RESPONSE, PromiseKind.REVIEW)


def policy_e(*, pause: bool = True):
    policy, _written = preset_load(preset_by_slug("e"))
    policy.pause_while_awaiting_complainant = pause
    policy.save(update_fields=["pause_while_awaiting_complainant"])
    return policy


def investigating_case(policy, handler, **overrides):
    case = case_in(State.INVESTIGATING, handler=handler, policy=policy, **overrides)
    regulatory_promises_make(case)
    deliver_pending()
    return Complaint.objects.get(pk=case.pk)


def limits(case) -> dict[str, dt.datetime]:
    return {promise.kind: promise.limit for promise in case.promises.filter(kept_at=None)}


# The clock's arithmetic, on its own: many moments, no database.

MOMENTS = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 1), timezones=st.just(LONDON)
)


@given(start=MOMENTS, paused=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(40)))
def test_a_resumed_business_day_limit_moves_by_exactly_the_business_days_paused(start, paused):
    end = start + paused
    days = ENGLAND.business_days_paused(start, end)
    limit = ENGLAND.add(start, 15, Unit.BUSINESS_DAYS)
    moved = ENGLAND.resume(limit, paused_from=start, paused_until=end, unit=Unit.BUSINESS_DAYS)
    assert ENGLAND.is_business_day(ENGLAND.local(moved).date())
    assert ENGLAND.local(moved).time() == ENGLAND.local(limit).time()
    # Counted day by day: exactly `days` business days lie after the old limit's day up to the
    # new one's, whatever weekends and bank holidays the pause or the move crossed.
    day, count = ENGLAND.local(limit).date(), 0
    while day < ENGLAND.local(moved).date():
        day += dt.timedelta(days=1)
        count += ENGLAND.is_business_day(day)
    assert count == days
    # A pause costs no more business days than it spans, and none within one working day.
    assert days <= paused.days + 1
    if ENGLAND.local(start).date() == ENGLAND.local(end).date() and end.time() < dt.time(17):
        assert days == 0


def test_a_pause_from_friday_afternoon_to_after_easter_monday_costs_one_business_day():
    good_friday_week = dt.datetime(2027, 3, 25, 15, tzinfo=LONDON)  # Thursday before Good Friday
    after_easter = dt.datetime(2027, 3, 30, 10, tzinfo=LONDON)  # Tuesday after Easter Monday
    assert ENGLAND.business_days_paused(good_friday_week, after_easter) == 1


# The case's two clocks.


@pytest.mark.django_db
def test_asking_for_information_stops_the_internal_targets_and_not_the_regulatory_one():
    policy, hana = policy_e(), HandlerFactory(username="hana")
    monday = dt.datetime(2027, 6, 7, 10, tzinfo=LONDON)
    with time_machine.travel(monday, tick=False) as traveller:
        case = investigating_case(policy, hana)
        before = limits(case)
        services.complaint_request_information(
            complaint=case, actor=Actor.staff(hana), body="Which card did you pay with?"
        )
        case.refresh_from_db()
        assert case.clock_paused_at == monday
        assert case.promises.filter(kind=PromiseKind.FULL_RESPONSE, paused_at=monday).exists()
        assert not case.promises.filter(kind=PromiseKind.FINAL_RESPONSE, paused_at__isnull=False)
        pause = ClockPause.objects.get(complaint=case)
        assert pause.reason == "Waiting for information from the complainant"
        assert case.events.filter(action="clock_paused").exists()
        deliver_pending()
        # A week on (five business days), the complainant answers.
        traveller.move_to(monday + dt.timedelta(days=7))
        services.complaint_record_customer_reply(complaint=case, body="The blue one.")
    case.refresh_from_db()
    after = limits(case)
    expected = ENGLAND.resume(
        before[PromiseKind.FULL_RESPONSE],
        paused_from=monday,
        paused_until=monday + dt.timedelta(days=7),
        unit=Unit.BUSINESS_DAYS,
    )
    assert after[PromiseKind.FULL_RESPONSE] == expected
    assert (expected - before[PromiseKind.FULL_RESPONSE]).days == 7
    assert after[PromiseKind.FINAL_RESPONSE] == before[PromiseKind.FINAL_RESPONSE]
    assert after[PromiseKind.HOLDING_REPLY] == before[PromiseKind.HOLDING_REPLY]
    assert case.clock_paused_at is None and case.resolve_by == expected
    pause = ClockPause.objects.get(complaint=case)
    assert pause.ended_how == ClockPause.End.REPLY
    resumed = case.events.get(action="clock_resumed")
    assert "Clock resumed: the full response deadline moves from" in resumed.note
    extension = DeadlineExtension.objects.get(complaint=case)
    assert extension.new == expected and "while we waited for your reply" in extension.reason
    deliver_pending()
    (told,) = [
        message
        for message in mail.outbox
        if "We now expect to send our full response by" in message.body
    ]
    assert "while we waited for your reply" in told.body


@pytest.mark.django_db
def test_a_policy_without_the_setting_keeps_its_clock_running():
    policy, hana = policy_e(pause=False), HandlerFactory(username="hana")
    case = investigating_case(policy, hana)
    before = limits(case)
    services.complaint_request_information(complaint=case, actor=Actor.staff(hana), body="Card?")
    services.complaint_record_customer_reply(complaint=case, body="Blue.")
    case.refresh_from_db()
    assert case.clock_paused_at is None and not ClockPause.objects.exists()
    assert limits(case)[PromiseKind.FULL_RESPONSE] == before[PromiseKind.FULL_RESPONSE]


@pytest.mark.django_db
def test_a_paused_target_is_not_overdue_in_the_queue_nor_alerted_while_the_regulatory_one_is():
    policy, hana = policy_e(), HandlerFactory(username="hana", email="hana@example.com")
    monday = dt.datetime(2027, 6, 7, 10, tzinfo=LONDON)
    with time_machine.travel(monday, tick=False) as traveller:
        case = investigating_case(policy, hana)
        services.complaint_request_information(complaint=case, actor=Actor.staff(hana), body="?")
        deliver_pending()
        final = case.promises.get(kind=PromiseKind.FINAL_RESPONSE)
        # Well past the full response's old limit and the regulator's 8 weeks, still waiting.
        traveller.move_to(final.limit + dt.timedelta(days=1))
        now = clock.now()
        case.refresh_from_db()
        assert case.next_deadline == final.limit  # the paused target is not the next deadline
        assert case.regulatory_deadline == final.limit
        assert Complaint.objects.overdue(now).filter(pk=case.pk).exists()  # by the regulator's
        alerted_before = Notification.objects.filter(kind=Notification.Kind.STAFF_BREACHED).count()
        jobs.promise_alerts_send()
    breaches = Notification.objects.filter(kind=Notification.Kind.STAFF_BREACHED)
    kinds = {alert.context["deadline_kind"] for alert in breaches[alerted_before:]}
    assert PromiseKind.FULL_RESPONSE not in kinds
    assert PromiseKind.FINAL_RESPONSE in kinds
    full = case.promises.get(kind=PromiseKind.FULL_RESPONSE)
    assert full.breach_alerted_at is None and full.paused_at == monday


@pytest.mark.django_db
def test_a_handler_resumes_the_clock_and_a_response_ends_a_pause_without_a_second_email():
    policy, hana = policy_e(), HandlerFactory(username="hana")
    actor = Actor.staff(hana)
    monday = dt.datetime(2027, 6, 7, 10, tzinfo=LONDON)
    with time_machine.travel(monday, tick=False) as traveller:
        case = investigating_case(policy, hana)
        with pytest.raises(ComplaintError):
            services.complaint_resume_clock(complaint=case, actor=actor)
        services.complaint_request_information(complaint=case, actor=actor, body="?")
        traveller.move_to(monday + dt.timedelta(days=2))
        services.complaint_resume_clock(complaint=case, actor=actor)
        assert ClockPause.objects.get(complaint=case).ended_how == ClockPause.End.RESUMED
        assert DeadlineExtension.objects.filter(complaint=case).count() == 1
        services.complaint_request_information(complaint=case, actor=actor, body="And?")
        traveller.move_to(monday + dt.timedelta(days=3))
        case.refresh_from_db()
        services.complaint_respond(
            complaint=case,
            actor=actor,
            findings="Found.",
            actions="Fixed.",
            reasoning="Because.",
            outcome="upheld",
        )
    second = ClockPause.objects.filter(complaint=case).order_by("pk").last()
    assert second.ended_how == ClockPause.End.CLOSED
    assert DeadlineExtension.objects.filter(complaint=case).count() == 1


# Over many lives: random receipt moments and pause lengths across weekends and holidays.

RECEIPTS = st.datetimes(
    min_value=dt.datetime(2026, 3, 1), max_value=dt.datetime(2028, 11, 1), timezones=st.just(LONDON)
)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    received=RECEIPTS,
    asked_after=st.timedeltas(min_value=dt.timedelta(hours=1), max_value=dt.timedelta(days=6)),
    paused=st.timedeltas(min_value=dt.timedelta(minutes=5), max_value=dt.timedelta(days=30)),
)
def test_a_pause_moves_the_internal_targets_by_its_business_time_and_never_the_regulators(
    received, asked_after, paused
):
    policy = policy_e()
    hana = HandlerFactory()
    with time_machine.travel(received, tick=False) as traveller:
        case = investigating_case(policy, hana)
        before = limits(case)
        asked = received + asked_after
        traveller.move_to(asked)
        services.complaint_request_information(complaint=case, actor=Actor.staff(hana), body="?")
        traveller.move_to(asked + paused)
        services.complaint_record_customer_reply(complaint=case, body="Here.")
    after = limits(case)
    for kind in (PromiseKind.FINAL_RESPONSE, PromiseKind.HOLDING_REPLY):
        assert after[kind] == before[kind]
    full = before[PromiseKind.FULL_RESPONSE]
    assert after[PromiseKind.FULL_RESPONSE] == ENGLAND.resume(
        full, paused_from=asked, paused_until=asked + paused, unit=Unit.BUSINESS_DAYS
    )
    assert after[PromiseKind.FULL_RESPONSE] >= full
    assert not case.promises.filter(paused_at__isnull=False, kept_at=None).exists()


@pytest.mark.django_db
def test_the_policy_editor_offers_the_pause_with_its_help_text(client):
    from django.urls import reverse

    from tests.factories import SupervisorFactory

    policy = policy_e(pause=False)
    client.force_login(SupervisorFactory(username="sam"))
    page = client.get(reverse("admin:complaints_complaintpolicy_change", args=[policy.pk]))
    text = page.content.decode()
    assert 'name="pause_while_awaiting_complainant"' in text
    assert "deadline keep running." in text


def test_the_regulators_promises_cannot_be_paused():
    from complaints.promise_records import promises_pause

    with pytest.raises(ValueError):
        promises_pause(
            None, [PromiseKind.FINAL_RESPONSE], at=dt.datetime(2027, 1, 1, tzinfo=LONDON)
        )


@pytest.mark.django_db
def test_merging_a_paused_duplicate_ends_its_pause():
    from complaints.related import complaint_merge

    policy, hana = policy_e(), HandlerFactory(username="hana")
    original = investigating_case(policy, hana)
    duplicate = investigating_case(policy, hana)
    services.complaint_request_information(complaint=duplicate, actor=Actor.staff(hana), body="?")
    duplicate.refresh_from_db()
    complaint_merge(complaint=duplicate, original=original, actor=Actor.staff(hana))
    duplicate.refresh_from_db()
    assert duplicate.clock_paused_at is None
    assert ClockPause.objects.get(complaint=duplicate).ended_how == ClockPause.End.CLOSED
