"""Supervisors edit policies in the admin: validated, previewed, versioned; open cases stay put."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from complaints import services
from complaints.choices import Channel, TargetKind
from complaints.clock import Unit
from complaints.models import ComplaintPolicy, PolicyTarget
from tests.factories import PolicyFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def sam(client):
    user = SupervisorFactory(username="sam")
    client.force_login(user)
    return user


def form_data(policy, **overrides):
    targets = list(policy.targets.order_by("pk"))
    data = {
        "name": policy.name,
        "slug": policy.slug,
        "country": policy.country,
        "subdivision": policy.subdivision,
        "time_zone": policy.time_zone,
        "working_days": ["0", "1", "2", "3", "4"],
        "closure_days": ["2026-12-24", ""],
        "close_of_business": "17:00",
        "warning_hours": "24",
        "external_routes": "",
        "external_route_time_limit": "",
        "public_wording": "",
        "language": policy.language,
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": str(len(targets)),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for index, target in enumerate(targets):
        data |= {
            f"targets-{index}-id": str(target.pk),
            f"targets-{index}-policy": str(policy.pk),
            f"targets-{index}-kind": target.kind,
            f"targets-{index}-aim": "" if target.aim is None else str(target.aim),
            f"targets-{index}-amount": str(target.amount),
            f"targets-{index}-unit": target.unit,
        }
    return data | overrides


def change_url(policy):
    return reverse("admin:complaints_complaintpolicy_change", args=[policy.pk])


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("country", "XX", "is not a country"),
        ("subdivision", "ZZZ", "is not a subdivision"),
        ("time_zone", "Mars/Olympus", "is not a known time zone"),
        ("closure_days", ["24 December"], "“24 December” is not a date"),
    ],
)
def test_it_shows_the_calendar_errors_in_the_form_and_saves_nothing(
    client, sam, policy, field, value, message
):
    response = client.post(change_url(policy), form_data(policy, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert getattr(ComplaintPolicy.objects.get(pk=policy.pk), field) != value


def test_it_refuses_a_policy_without_working_days(client, sam, policy):
    response = client.post(change_url(policy), form_data(policy, working_days=[]))
    assert "Give at least one working day" in response.content.decode()


def test_it_refuses_an_aim_after_the_limit_and_a_negative_limit(client, sam, policy):
    response = client.post(
        change_url(policy), form_data(policy, **{"targets-0-aim": "50", "targets-0-amount": "5"})
    )
    assert "The aim cannot come after the limit." in response.content.decode()
    response = client.post(change_url(policy), form_data(policy, **{"targets-1-amount": "-1"}))
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not PolicyTarget.objects.filter(amount__lt=0).exists()


@time_machine.travel(NOW, tick=False)
def test_it_previews_the_deadlines_of_a_complaint_received_now_in_the_policy_time_zone(client, sam):
    policy = PolicyFactory(
        time_zone="Europe/Berlin",
        country="DE",
        subdivision="BE",
        targets={TargetKind.RESOLVE: (3, 5, Unit.BUSINESS_DAYS)},
    )
    page = client.get(change_url(policy)).content.decode()
    assert "Deadlines a complaint received now would get (Europe/Berlin)" in page
    # Received Monday 11:00 in Berlin: aim Thursday, limit Monday, at close of business.
    assert "Thu 5 Mar 2026, 17:00" in page and "Mon 9 Mar 2026, 17:00" in page


@time_machine.travel(NOW, tick=False)
def test_editing_a_policy_moves_no_open_case(client, sam, policy):
    case = services.complaint_submit(
        channel=Channel.WEB, complainant_name="Rosa Diaz", description="Charged twice."
    )
    before = (case.acknowledge_by, case.respond_by, case.resolve_aim, case.resolve_by)
    resolve = list(policy.targets.order_by("pk")).index(policy.targets.get(kind="resolve"))
    response = client.post(
        change_url(policy), form_data(policy, **{f"targets-{resolve}-amount": "40"})
    )
    assert response.status_code == 302
    assert policy.targets.get(kind="resolve").amount == 40
    case.refresh_from_db()
    assert (case.acknowledge_by, case.respond_by, case.resolve_aim, case.resolve_by) == before


def test_it_versions_every_change_and_bumps_last_updated(client, sam):
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        policy = PolicyFactory(is_default=True)
    with time_machine.travel(NOW, tick=False):
        client.post(change_url(policy), form_data(policy, **{"targets-0-amount": "36"}))
    policy.refresh_from_db()
    assert policy.last_updated == NOW.date()
    latest = policy.history.latest()
    assert latest.history_user == sam and latest.last_updated == NOW.date()
    assert PolicyTarget.history.filter(policy_id=policy.pk, amount=36).exists()


def test_it_does_not_revert_to_an_old_version(client, sam, policy):
    version = policy.history.earliest()
    url = reverse(
        "admin:complaints_complaintpolicy_simple_history", args=[policy.pk, version.history_id]
    )
    assert client.post(url, form_data(policy, name="Reverted")).status_code == 403
    assert ComplaintPolicy.objects.get(pk=policy.pk).name != "Reverted"


def test_it_keeps_closure_days_picked_one_per_box(client, sam, policy):
    response = client.post(
        change_url(policy),
        form_data(policy, closure_days=["2026-12-31", "", "2026-12-24", "2026-12-31"]),
    )
    assert response.status_code == 302
    assert ComplaintPolicy.objects.get(pk=policy.pk).closure_days == ["2026-12-24", "2026-12-31"]
    page = client.get(change_url(policy)).content.decode()
    assert page.count('type="date" name="closure_days"') == 5
    assert 'value="2026-12-24"' in page
    assert page.count('name="working_days"') == 7
