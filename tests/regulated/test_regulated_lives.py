"""Lives under the packs on their calendars, for any moment of receipt (weekends and bank
holidays included) and any handler's pace: English preset E with DISP (issue 18).

The stateful machine in tests/test_whole_lives.py drives random lives under E and B and checks
the packs' invariants after every step; these properties aim at the two DISP rules whose edges
are the calendar's: the summary resolution's three business days and the holding reply's limit.
"""

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import jobs, services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.models import Category, Complaint
from complaints.presets import preset_by_slug, preset_load
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind
LIVES = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any moment of 2027 in England: weekends, evenings and the bank holidays (Easter, Christmas).
RECEIVED = st.datetimes(min_value=dt.datetime(2027, 1, 1), max_value=dt.datetime(2027, 12, 31))


def fresh(payment: bool):
    Complaint.objects.all().delete()
    Notification.objects.all().delete()
    policy, _written = preset_load(preset_by_slug("e"))
    category = None
    if payment:
        category, _made = Category.objects.get_or_create(
            slug="payments",
            defaults={"name": "Payments", "policy": policy, "is_payment_service": True},
        )
    hana = HandlerFactory.create()
    return policy, category, hana


def beat() -> None:
    jobs.complaints_acknowledge_received()
    jobs.progress_updates_send()
    jobs.holding_replies_send()
    jobs.promise_alerts_send()
    deliver_pending()


@LIVES
@given(received=RECEIVED, hours=st.integers(min_value=1, max_value=24 * 9), payment=st.booleans())
def test_a_response_by_the_third_business_day_is_a_summary_resolution_and_the_only_one(
    received, hours, payment
):
    policy, category, hana = fresh(payment)
    received = received.replace(tzinfo=dt.UTC)
    with time_machine.travel(received, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy, category=category)
        clock.move_to(received + dt.timedelta(hours=hours))
        services.complaint_respond(
            complaint=case,
            actor=Actor.staff(hana),
            findings="We charged you twice.",
            actions="We refunded one charge.",
            reasoning="Our records show two charges.",
            outcome="upheld",
        )
        beat()
    calendar = policy.calendar()
    # DISP 1.5: by close of business on the third business day after the day of receipt.
    in_three = calendar.add(received, 3, "business_days")
    kinds = set(
        case.notifications.filter(
            kind__in=[K.RESPONSE, K.SUMMARY_RESOLUTION, K.FINAL_RESPONSE]
        ).values_list("kind", flat=True)
    )
    expected = (
        K.SUMMARY_RESOLUTION if received + dt.timedelta(hours=hours) <= in_three else K.RESPONSE
    )
    assert kinds == {expected}
    final = case.promises.get(kind=PromiseKind.FINAL_RESPONSE)
    assert final.kept_by.startswith(expected) and final.kept_at <= final.limit


@LIVES
@given(received=RECEIVED, payment=st.booleans())
def test_a_case_nobody_answers_gets_its_holding_reply_before_the_regulators_limit(
    received, payment
):
    policy, category, hana = fresh(payment)
    received = received.replace(tzinfo=dt.UTC)
    with time_machine.travel(received, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy, category=category)
        holding = case.promises.get(kind=PromiseKind.HOLDING_REPLY)
        # The beat every 15 minutes from the aim on (config/celery.py).
        clock.move_to(holding.aim + dt.timedelta(minutes=15))
        beat()
    holding.refresh_from_db()
    assert holding.kept_at is not None and holding.kept_at < holding.limit
    limits = {
        True: policy.calendar().add(received, 15, "business_days"),
        False: policy.calendar().add(received, 56, "calendar_days"),
    }
    assert holding.limit == limits[payment]
    (reply,) = case.notifications.filter(kind=K.HOLDING_REPLY)
    final = case.promises.get(kind=PromiseKind.FINAL_RESPONSE)
    if payment:
        assert final.limit == policy.calendar().add(received, 35, "business_days")
    assert final.limit >= holding.limit and reply.status == Notification.Status.SENT
