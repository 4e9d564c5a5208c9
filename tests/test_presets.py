"""Each published policy's deadlines for a complaint received at a known moment."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints import services
from complaints.choices import Channel, DeadlineKind
from complaints.models import ComplaintPolicy
from complaints.presets import NEUTRAL_SLUG, PRESETS, preset_by_slug, preset_load

pytestmark = pytest.mark.django_db


def receive(letter, moment, time_machine):
    policy, _written = preset_load(preset_by_slug(letter))
    time_machine.move_to(moment, tick=False)
    return services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa",
        complainant_email="rosa@example.com",
        description="Charged twice.",
        policy=policy,
    )


def local(tz, *parts):
    return dt.datetime(*parts, tzinfo=ZoneInfo(tz))


def test_policy_e_before_an_english_bank_holiday_monday(time_machine):
    # Friday 28 August 2026, 17:30 in London; Monday 31 August is the summer bank holiday.
    case = receive("e", local("Europe/London", 2026, 8, 28, 17, 30), time_machine)
    assert case.acknowledge_by == local("Europe/London", 2026, 8, 29, 17, 30)  # 24 hours
    # Counted from Tuesday 1 September: 15 business days end on Tuesday 22 September.
    assert case.resolve_by == local("Europe/London", 2026, 9, 22, 17, 0)
    assert case.respond_by is None
    assert case.next_update_due == local("Europe/London", 2026, 9, 2, 17, 30)  # every 5 days
    assert case.next_deadline == case.acknowledge_by
    assert case.next_deadline_kind == DeadlineKind.ACKNOWLEDGE


def test_policy_a_aims_and_limits(time_machine):
    case = receive("a", dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), time_machine)  # Monday
    assert case.acknowledge_aim == dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)
    assert case.acknowledge_by == dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
    assert case.respond_aim == dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC)
    assert case.respond_by == dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    assert case.resolve_aim == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    assert case.resolve_by == dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)
    # Due soon from the aim (one day) rather than the 24-hour warning window (the same here).
    assert case.due_soon_at == dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)


def test_policy_b_in_berlin_over_easter(time_machine):
    case = receive("b", local("Europe/Berlin", 2026, 4, 2, 9, 0), time_machine)  # Thursday
    assert case.acknowledge_by == local("Europe/Berlin", 2026, 4, 3, 9, 0)
    # Good Friday, Easter Monday and 1 May are holidays: 20 business days from 2 April.
    assert case.resolve_by == local("Europe/Berlin", 2026, 5, 5, 17, 0)


def test_policy_c_in_vietnam_before_the_lunar_new_year(time_machine):
    case = receive("c", local("Asia/Ho_Chi_Minh", 2026, 2, 13, 10, 0), time_machine)
    assert case.acknowledge_by == local("Asia/Ho_Chi_Minh", 2026, 2, 23, 17, 0)
    # Five business days after Friday 13 February, Tet week skipped: Friday 27 February.
    assert case.resolve_by == local("Asia/Ho_Chi_Minh", 2026, 2, 27, 17, 0)


def test_policy_d_in_the_netherlands_around_kings_day(time_machine):
    case = receive("d", local("Europe/Amsterdam", 2026, 4, 24, 10, 0), time_machine)  # Friday
    assert case.acknowledge_by == local("Europe/Amsterdam", 2026, 4, 29, 17, 0)
    # 7 business days: 28, 29, 30 April, 1, 4, 5, 6 May (King's Day on the 27th).
    assert case.resolve_by == local("Europe/Amsterdam", 2026, 5, 6, 17, 0)


def test_marking_a_case_complex_moves_its_deadline_and_keeps_the_reason(time_machine):
    from complaints.actors import Actor
    from tests.factories import HandlerFactory

    case = receive("e", local("Europe/London", 2026, 8, 28, 17, 30), time_machine)
    handler = Actor.staff(HandlerFactory())
    case = services.complaint_mark_complex(
        complaint=case, actor=handler, reason="Needs the payment provider's records."
    )
    assert case.resolve_by == local("Europe/London", 2026, 9, 29, 17, 0)  # 20 business days
    extension = case.extensions.get()
    assert extension.reason == "Needs the payment provider's records."
    assert extension.previous == local("Europe/London", 2026, 9, 22, 17, 0)


def test_changing_a_policy_moves_no_open_case(time_machine):
    case = receive("d", local("Europe/Amsterdam", 2026, 4, 24, 10, 0), time_machine)
    policy = case.policy
    policy.targets.filter(kind="resolve").update(amount=3)
    case.refresh_from_db()
    assert case.resolve_by == local("Europe/Amsterdam", 2026, 5, 6, 17, 0)


def test_the_command_loads_all_five_once_and_refuses_an_unknown_one(capsys):
    call_command("load_policy_presets")
    call_command("load_policy_presets")
    assert ComplaintPolicy.objects.exclude(slug=NEUTRAL_SLUG).count() == len(PRESETS) == 5
    assert ComplaintPolicy.objects.filter(is_default=True).count() == 1
    assert "already present" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown preset"):
        call_command("load_policy_presets", "z")


def test_reset_restores_an_edited_preset():
    policy, _ = preset_load(preset_by_slug("d"))
    policy.targets.filter(kind="resolve").update(amount=99)
    call_command("load_policy_presets", "d", "--reset")
    assert policy.targets.get(kind="resolve").amount == 7
