"""The business-day clock: weekends, public holidays, time zones, DST, units, aim and limit."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from complaints.choices import TargetKind
from complaints.clock import BusinessCalendar, Target, Unit
from complaints.models import ComplaintPolicy, PolicyTarget

LONDON, AMSTERDAM = ZoneInfo("Europe/London"), ZoneInfo("Europe/Amsterdam")
BERLIN, SAIGON = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Ho_Chi_Minh")
ENGLAND = BusinessCalendar(country="GB", subdivision="ENG", time_zone="Europe/London")
NETHERLANDS = BusinessCalendar(country="NL", time_zone="Europe/Amsterdam")
BERLIN_CAL = BusinessCalendar(country="DE", subdivision="BE", time_zone="Europe/Berlin")
VIETNAM = BusinessCalendar(country="VN", time_zone="Asia/Ho_Chi_Minh")


def at(tz, *parts):
    return dt.datetime(*parts, tzinfo=tz)


def test_it_skips_the_weekend():
    friday_morning = at(LONDON, 2026, 11, 13, 10, 0)
    assert ENGLAND.add(friday_morning, 1, Unit.BUSINESS_DAYS) == at(LONDON, 2026, 11, 16, 17, 0)


def test_it_counts_a_complaint_received_after_close_of_business_from_the_next_business_day():
    tuesday_evening = at(LONDON, 2026, 11, 17, 18, 30)
    # Counted as received on Wednesday; one business day later is Thursday's close.
    assert ENGLAND.add(tuesday_evening, 1, Unit.BUSINESS_DAYS) == at(LONDON, 2026, 11, 19, 17, 0)
    assert ENGLAND.add(tuesday_evening, 0, Unit.BUSINESS_DAYS) == at(LONDON, 2026, 11, 18, 17, 0)


def test_it_skips_an_english_bank_holiday():
    friday_late = at(LONDON, 2026, 8, 28, 17, 30)  # Monday 31 August is a bank holiday
    assert ENGLAND.day_of_receipt(friday_late) == dt.date(2026, 9, 1)
    assert ENGLAND.add(friday_late, 1, Unit.BUSINESS_DAYS) == at(LONDON, 2026, 9, 2, 17, 0)


def test_it_skips_kings_day_in_the_netherlands():
    friday = at(AMSTERDAM, 2026, 4, 24, 10, 0)  # Monday 27 April is King's Day
    assert NETHERLANDS.add(friday, 2, Unit.BUSINESS_DAYS) == at(AMSTERDAM, 2026, 4, 29, 17, 0)


def test_it_skips_easter_in_berlin():
    maundy_thursday = at(BERLIN, 2026, 4, 2, 9, 0)
    assert BERLIN_CAL.add(maundy_thursday, 1, Unit.BUSINESS_DAYS) == at(BERLIN, 2026, 4, 7, 17, 0)


def test_it_skips_the_lunar_new_year_in_vietnam():
    friday_before_tet = at(SAIGON, 2026, 2, 13, 10, 0)  # 16–20 February are holidays
    assert VIETNAM.add(friday_before_tet, 1, Unit.BUSINESS_DAYS) == at(SAIGON, 2026, 2, 23, 17, 0)


def test_it_works_on_a_saturday_that_vietnam_made_a_working_day():
    friday = at(SAIGON, 2026, 8, 21, 10, 0)  # Saturday 22 August replaces Monday 31 August
    assert VIETNAM.is_business_day(dt.date(2026, 8, 22))
    assert not VIETNAM.is_business_day(dt.date(2026, 8, 31))
    assert VIETNAM.add(friday, 1, Unit.BUSINESS_DAYS) == at(SAIGON, 2026, 8, 22, 17, 0)


def test_it_honours_the_organisations_own_closure_days_and_working_days():
    calendar = BusinessCalendar(
        country="GB",
        subdivision="ENG",
        time_zone="Europe/London",
        working_days=[0, 1, 2, 3],
        closure_days=[dt.date(2026, 11, 16)],
    )
    thursday = at(LONDON, 2026, 11, 12, 9, 0)
    # Friday is no working day here and Monday the 16th is a closure day.
    assert calendar.add(thursday, 1, Unit.BUSINESS_DAYS) == at(LONDON, 2026, 11, 17, 17, 0)


def test_hours_count_elapsed_time_across_the_end_of_summer_time():
    saturday_noon_bst = at(LONDON, 2026, 10, 24, 12, 0)  # clocks go back on Sunday 25 October
    limit = ENGLAND.add(saturday_noon_bst, 24, Unit.HOURS)
    assert limit.astimezone(dt.UTC) - saturday_noon_bst.astimezone(dt.UTC) == dt.timedelta(hours=24)
    assert limit.astimezone(LONDON).hour == 11


def test_calendar_days_keep_the_wall_clock_time_across_the_end_of_summer_time():
    saturday_noon_bst = at(LONDON, 2026, 10, 24, 12, 0)
    limit = ENGLAND.add(saturday_noon_bst, 1, Unit.CALENDAR_DAYS)
    assert limit.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2026, 10, 25, 12, 0)
    elapsed = limit.astimezone(dt.UTC) - saturday_noon_bst.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=25)


def test_business_days_use_the_policys_time_zone_not_utc():
    # 23:30 UTC on a Sunday is already Monday morning in Saigon.
    sunday_utc = dt.datetime(2026, 11, 15, 23, 30, tzinfo=dt.UTC)
    assert VIETNAM.day_of_receipt(sunday_utc) == dt.date(2026, 11, 16)
    assert ENGLAND.day_of_receipt(sunday_utc) == dt.date(2026, 11, 16)
    assert BusinessCalendar(time_zone="America/Los_Angeles").day_of_receipt(sunday_utc) == (
        dt.date(2026, 11, 16)  # Sunday 15:30 there, so the next business day
    )


def test_it_gives_an_aim_before_the_limit():
    monday = at(LONDON, 2026, 11, 16, 9, 0)
    deadline = ENGLAND.deadline(monday, Target(amount=5, unit=Unit.BUSINESS_DAYS, aim=3))
    assert deadline.aim == at(LONDON, 2026, 11, 19, 17, 0)
    assert deadline.limit == at(LONDON, 2026, 11, 23, 17, 0)


def test_it_counts_business_days_between_two_moments():
    assert (
        ENGLAND.business_days_between(at(LONDON, 2026, 8, 27, 10, 0), at(LONDON, 2026, 9, 2, 12, 0))
        == 3
    )  # Fri 28, (bank holiday skipped), Tue 1, Wed 2


def test_a_calendar_with_no_working_day_is_a_clear_error():
    with pytest.raises(ValueError, match="no working day"):
        BusinessCalendar(working_days=[]).add(at(LONDON, 2026, 1, 1, 9), 1, Unit.BUSINESS_DAYS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "not a country"),
        ("subdivision", "ZZZ", "not a subdivision"),
        ("time_zone", "Mars/Olympus", "not a known time zone"),
        ("working_days", [7], "working day"),
        ("closure_days", ["tomorrow"], "closure days"),
    ],
)
def test_a_policy_with_a_bad_calendar_is_refused_with_a_clear_message(field, value, message):
    policy = ComplaintPolicy(name="Bad", slug="bad", country="GB", subdivision="ENG")
    setattr(policy, field, value)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert message in str(error.value.message_dict[field])


@pytest.mark.django_db
def test_a_promise_whose_aim_is_after_its_limit_is_refused():
    policy = ComplaintPolicy.objects.create(name="P", slug="p")
    target = PolicyTarget(
        policy=policy, kind=TargetKind.RESOLVE, aim=20, amount=15, unit=Unit.BUSINESS_DAYS
    )
    with pytest.raises(ValidationError, match="aim cannot come after the limit"):
        target.full_clean()


@pytest.mark.django_db
def test_a_negative_amount_is_refused():
    policy = ComplaintPolicy.objects.create(name="P", slug="p")
    target = PolicyTarget(policy=policy, kind=TargetKind.RESOLVE, amount=-1, unit=Unit.HOURS)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "amount" in error.value.message_dict
