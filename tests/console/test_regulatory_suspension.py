"""The regulator's suspension: a supervisor's action over a filtered set of cases that moves only
their regulatory promises, by exactly the time suspended (the FCA's motor-finance pause)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import clock, suspensions
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.exceptions import NotPermitted
from complaints.models import Complaint, RegulatorySuspension, SuspendedComplaint
from complaints.presets import preset_by_slug, preset_load
from tests.cases import case_in
from tests.console.pages import CHANGELIST
from tests.factories import CategoryFactory
from tests.regulatory import regulatory_promises_make

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def limits(case) -> dict[str, dt.datetime]:
    return {promise.kind: promise.limit for promise in case.promises.filter(kept_at=None)}


def disp_case(handler, received, **overrides):
    policy, _written = preset_load(preset_by_slug("e"))
    with time_machine.travel(received, tick=False):
        case = case_in(State.INVESTIGATING, handler=handler, policy=policy, **overrides)
        regulatory_promises_make(case)
    return Complaint.objects.get(pk=case.pk)


def window(starts_on, until):
    """Return the suspension's first and last moment, in UTC (so differences are real time)."""
    return (
        dt.datetime.combine(starts_on, dt.time(0), LONDON).astimezone(dt.UTC),
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), LONDON).astimezone(dt.UTC),
    )


def test_it_moves_only_the_selected_cases_regulatory_promises_by_the_time_suspended(hana, sam):
    before_it = disp_case(hana, dt.datetime(2027, 1, 11, 10, tzinfo=LONDON))
    during_it = disp_case(hana, dt.datetime(2027, 2, 1, 15, tzinfo=LONDON))
    left_out = disp_case(hana, dt.datetime(2027, 1, 12, 10, tzinfo=LONDON))
    old = {case.pk: limits(case) for case in (before_it, during_it, left_out)}
    starts_on, until = dt.date(2027, 1, 25), dt.date(2027, 3, 31)
    start, end = window(starts_on, until)
    with time_machine.travel(dt.datetime(2027, 2, 2, 9, tzinfo=LONDON), tick=False):
        suspension = suspensions.suspension_create(
            complaints=[before_it, during_it],
            actor=Actor.staff(sam),
            reason="The FCA paused the 8-week clock for motor-finance complaints.",
            reference="FCA PS24/1 motor finance",
            starts_on=starts_on,
            until=until,
        )
    for case, moved in ((before_it, end - start), (during_it, end - during_it.received_at)):
        new = limits(case)
        for kind in (PromiseKind.FINAL_RESPONSE, PromiseKind.HOLDING_REPLY):
            assert new[kind] - old[case.pk][kind] == moved
        # The remaining weeks run after the date the regulator named.
        assert new[PromiseKind.FINAL_RESPONSE] - end == old[case.pk][
            PromiseKind.FINAL_RESPONSE
        ] - max(start, case.received_at)
        assert new[PromiseKind.FULL_RESPONSE] == old[case.pk][PromiseKind.FULL_RESPONSE]
        case.refresh_from_db()
        assert case.regulatory_deadline == new[PromiseKind.FINAL_RESPONSE]
        assert case.regulatory_suspended_until == end
        entry = case.events.get(action="regulatory_suspension")
        assert "FCA PS24/1 motor finance" in entry.note and not entry.is_public
        assert (
            SuspendedComplaint.objects.get(suspension=suspension, complaint=case).moved_by == moved
        )
    assert limits(left_out) == old[left_out.pk]
    assert not left_out.events.filter(action="regulatory_suspension").exists()


def test_it_refuses_a_handler_the_suspension(hana):
    case = disp_case(hana, dt.datetime(2027, 1, 11, 10, tzinfo=LONDON))
    with pytest.raises(NotPermitted):
        suspensions.suspension_create(
            complaints=[case],
            actor=Actor.staff(hana),
            reason="No.",
            reference="FCA",
            starts_on=dt.date(2027, 1, 1),
            until=dt.date(2027, 2, 1),
        )
    assert not RegulatorySuspension.objects.exists()


def test_the_queue_offers_the_suspension_to_supervisors_only(client, hana, sam):
    case = disp_case(hana, dt.datetime(2027, 1, 11, 10, tzinfo=LONDON))
    client.force_login(hana)
    page = client.get(CHANGELIST).content.decode()
    assert "suspend_regulatory_deadline" not in page
    before = limits(case)
    client.post(
        CHANGELIST,
        {
            "action": "suspend_regulatory_deadline",
            ACTION_CHECKBOX_NAME: [case.pk],
            "apply": "1",
            "reason": "x",
            "reference": "y",
            "starts_on": "2027-01-01",
            "until": "2027-03-01",
        },
    )
    assert limits(case) == before and not RegulatorySuspension.objects.exists()
    assert (
        client.get(reverse("admin:complaints_regulatorysuspension_changelist")).status_code == 403
    )

    client.force_login(sam)
    assert "suspend_regulatory_deadline" in client.get(CHANGELIST).content.decode()
    form = client.post(
        CHANGELIST, {"action": "suspend_regulatory_deadline", ACTION_CHECKBOX_NAME: [case.pk]}
    )
    assert "Regulator&#x27;s reference" in form.content.decode()
    done = client.post(
        CHANGELIST,
        {
            "action": "suspend_regulatory_deadline",
            ACTION_CHECKBOX_NAME: [case.pk],
            "apply": "1",
            "reason": "The regulator paused it.",
            "reference": "FCA PS24/1 motor finance",
            "starts_on": "2027-01-01",
            "until": "2027-03-01",
        },
        follow=True,
    )
    assert "is suspended (FCA PS24/1 motor finance)" in done.content.decode()
    assert limits(case)[PromiseKind.FINAL_RESPONSE] > before[PromiseKind.FINAL_RESPONSE]
    listing = client.get(reverse("admin:complaints_regulatorysuspension_changelist"))
    assert "FCA PS24/1 motor finance" in listing.content.decode()


def test_the_queue_selects_a_class_of_cases_by_product_group_and_receipt(client, hana, sam):
    motor = CategoryFactory(name="Motor finance", product_group="banking")
    loans = CategoryFactory(name="Car loans", parent=motor)
    other = CategoryFactory(name="Pensions", product_group="decumulation")
    inside = disp_case(hana, dt.datetime(2027, 1, 11, 10, tzinfo=LONDON), category=loans)
    disp_case(hana, dt.datetime(2027, 1, 12, 10, tzinfo=LONDON), category=other)
    disp_case(hana, dt.datetime(2026, 12, 1, 10, tzinfo=LONDON), category=motor)
    client.force_login(sam)
    page = client.get(
        CHANGELIST,
        {"product_group": "banking", "received_from": "2027-01-01", "received_until": "2027-01-31"},
    ).content.decode()
    assert inside.display_reference in page
    assert page.count('name="_selected_action"') == 1


def test_lifting_early_gives_back_the_time_not_suspended(hana, sam):
    case = disp_case(hana, dt.datetime(2027, 1, 11, 10, tzinfo=LONDON))
    original = limits(case)[PromiseKind.FINAL_RESPONSE]
    with time_machine.travel(dt.datetime(2027, 2, 1, 9, tzinfo=LONDON), tick=False):
        suspension = suspensions.suspension_create(
            complaints=[case],
            actor=Actor.staff(sam),
            reason="Paused.",
            reference="FCA",
            starts_on=dt.date(2027, 1, 25),
            until=dt.date(2027, 6, 30),
        )
    lifted_at = dt.datetime(2027, 3, 1, 12, tzinfo=LONDON)
    with time_machine.travel(lifted_at, tick=False):
        suspensions.suspension_lift(suspension=suspension, actor=Actor.staff(sam))
    start = dt.datetime(2027, 1, 25, tzinfo=LONDON).astimezone(dt.UTC)
    assert limits(case)[PromiseKind.FINAL_RESPONSE] == original + (lifted_at - start)
    case.refresh_from_db()
    assert case.regulatory_suspended_until == lifted_at
    assert case.events.filter(action="regulatory_suspension").count() == 2


RECEIPTS = st.datetimes(
    min_value=dt.datetime(2026, 6, 1), max_value=dt.datetime(2027, 6, 1), timezones=st.just(LONDON)
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    received=RECEIPTS,
    starts_after=st.integers(min_value=-60, max_value=70),
    length=st.integers(min_value=0, max_value=120),
)
def test_any_suspension_moves_the_regulatory_clock_by_the_suspended_part_after_receipt(
    hana, sam, received, starts_after, length
):
    case = disp_case(hana, received)
    old = limits(case)
    starts_on = received.date() + dt.timedelta(days=starts_after)
    until = starts_on + dt.timedelta(days=length)
    start, end = window(starts_on, until)
    with time_machine.travel(max(received, start) + dt.timedelta(minutes=1), tick=False):
        suspensions.suspension_create(
            complaints=[case],
            actor=Actor.staff(sam),
            reason="Paused.",
            reference="FCA",
            starts_on=starts_on,
            until=until,
        )
    new = limits(case)
    final = old[PromiseKind.FINAL_RESPONSE]
    expected = clock.suspension_shift(received_at=received, limit=final, window=(start, end))
    assert new[PromiseKind.FINAL_RESPONSE] - final == expected
    if final > start and received < end:
        # The time left on the regulator's clock when it stopped is what is left after it.
        assert new[PromiseKind.FINAL_RESPONSE] - end == final - max(start, received)
    assert new[PromiseKind.FULL_RESPONSE] == old[PromiseKind.FULL_RESPONSE]
