"""A policy's rule packs in the editor, the system check and retention (issue 18)."""

import datetime as dt

import pytest
from django.core import checks
from django.core.exceptions import ValidationError

from complaints import retention, rulepacks
from complaints.checks import check_rule_pack_settings
from complaints.choices import State, TargetKind
from complaints.clock import Unit
from complaints.models import Complaint, ComplaintPolicy, PolicyTarget
from complaints.presets import preset_by_slug, preset_load
from tests.factories import ComplaintFactory, PolicyFactory, SupervisorFactory
from tests.test_policy_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(client):
    user = SupervisorFactory(username="sam")
    client.force_login(user)
    return user


def test_the_editor_shows_the_packs_as_checkboxes_with_their_settings(client, sam, policy):
    page = client.get(change_url(policy)).content.decode()
    assert 'type="checkbox" name="rule_packs" value="disp"' in page
    assert 'name="ombudsman_consent"' in page and 'name="arbitration_board"' in page


def test_saving_disp_without_the_consent_choice_is_flagged(client, sam, policy):
    response = client.post(
        change_url(policy),
        form_data(policy, rule_packs=["disp"], ombudsman_consent=""),
        follow=True,
    )
    assert "choose whether you consent to the ombudsman" in response.content.decode()
    policy.refresh_from_db()
    assert policy.rule_packs == ["disp"]
    (warning,) = [
        m for m in check_rule_pack_settings(databases=["default"]) if policy.name in m.msg
    ]
    assert warning.id == "complaints.W002" and warning.level == checks.WARNING


def test_the_check_is_quiet_for_the_presets_with_their_packs():
    for slug in ("b", "e"):
        preset_load(preset_by_slug(slug))
    assert check_rule_pack_settings(databases=["default"]) == []


def test_the_editor_refuses_a_retention_shorter_than_three_years_under_disp(client, sam, policy):
    targets = list(policy.targets.order_by("pk"))
    index = len(targets)
    data = form_data(
        policy,
        rule_packs=["disp"],
        ombudsman_consent="consents",
        **{
            "targets-TOTAL_FORMS": str(index + 1),
            f"targets-{index}-policy": str(policy.pk),
            f"targets-{index}-kind": TargetKind.RETENTION,
            f"targets-{index}-aim": "",
            f"targets-{index}-amount": "365",
            f"targets-{index}-unit": Unit.CALENDAR_DAYS,
        },
    )
    response = client.post(change_url(policy), data)
    assert "DISP: three years" in response.content.decode()
    assert not policy.targets.filter(kind=TargetKind.RETENTION).exists()


@pytest.mark.parametrize(
    "amount, unit, allowed",
    [
        (1096, Unit.CALENDAR_DAYS, True),
        (1095, Unit.CALENDAR_DAYS, False),
        (26304, Unit.HOURS, True),
        (784, Unit.BUSINESS_DAYS, True),
        (700, Unit.BUSINESS_DAYS, False),
    ],
)
def test_a_retention_target_under_disp_is_at_least_three_years(amount, unit, allowed):
    policy = PolicyFactory(rule_packs=["disp"], ombudsman_consent="consents")
    target = PolicyTarget(policy=policy, kind=TargetKind.RETENTION, amount=amount, unit=unit)
    if allowed:
        target.full_clean(exclude=["policy"])
    else:
        with pytest.raises(ValidationError, match="three years"):
            target.full_clean(exclude=["policy"])


def test_the_retention_sweep_never_anonymises_a_disp_case_early_whatever_an_old_row_says():
    policy = PolicyFactory(
        rule_packs=["disp"],
        ombudsman_consent="consents",
        targets={TargetKind.RETENTION: (None, 30, Unit.CALENDAR_DAYS)},
    )
    now = dt.datetime.now(dt.UTC)
    young = ComplaintFactory(
        policy=policy, state=State.RESOLVED, closed_at=now - dt.timedelta(days=400)
    )
    old = ComplaintFactory(
        policy=policy, state=State.RESOLVED, closed_at=now - dt.timedelta(days=1200)
    )
    assert retention.complaints_anonymise_due() == 1
    assert Complaint.objects.get(pk=old.pk).anonymised_at is not None
    assert Complaint.objects.get(pk=young.pk).anonymised_at is None
    assert rulepacks.min_retention_days(ComplaintPolicy.objects.get(pk=policy.pk)) == 1096
