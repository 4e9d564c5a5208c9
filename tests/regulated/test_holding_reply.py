"""DISP's holding reply and the regulator's clock: made at receipt, kept by the holding reply or
the final response, never moved by the handler's extension (issue 18)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from complaints import holding_replies, jobs, services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.exceptions import ComplaintError, StatementsMissing
from complaints.models import Category
from complaints.presets import preset_by_slug, preset_load
from complaints.rulepacks import disp
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind
P = PromiseKind
MONDAY = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)


@pytest.fixture
def policy_e():
    policy, _written = preset_load(preset_by_slug("e"))
    return policy


@pytest.fixture
def payments(policy_e):
    return Category.objects.create(
        name="Payments", slug="payments", policy=policy_e, is_payment_service=True
    )


def promise(case, kind):
    return case.promises.filter(kind=kind).order_by("-occurrence").first()


def holding_bodies() -> list[str]:
    kinds = dict(Notification.objects.values_list("message_id", "kind"))
    return [
        " ".join(m.body.split())
        for m in mail.outbox
        if kinds.get(m.extra_headers.get("Message-ID")) == K.HOLDING_REPLY
    ]


def test_receipt_makes_the_final_response_and_holding_reply_promises_at_eight_weeks(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.ACKNOWLEDGED, handler=hana, policy=policy_e)
    final, holding = promise(case, P.FINAL_RESPONSE), promise(case, P.HOLDING_REPLY)
    # Eight weeks on the English wall clock (British Summer Time began meanwhile).
    assert final.limit == holding.limit == policy_e.calendar().add(MONDAY, 56, "calendar_days")
    assert holding.limit.astimezone(dt.UTC) == dt.datetime(2027, 4, 26, 9, tzinfo=dt.UTC)
    # Warned (and written by the sweep) five business days before the limit.
    assert holding.aim < holding.limit - dt.timedelta(days=6)


def test_the_sweep_writes_the_holding_reply_in_time_when_nobody_does(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        holding = promise(case, P.HOLDING_REPLY)
        clock.move_to(holding.aim - dt.timedelta(minutes=1))
        assert jobs.holding_replies_send() == 0
        clock.move_to(holding.aim + dt.timedelta(minutes=5))
        assert jobs.holding_replies_send() == 1
        assert jobs.holding_replies_send() == 0  # once
        deliver_pending()
    holding.refresh_from_db()
    assert holding.kept_at is not None and holding.kept_at < holding.limit
    (body,) = holding_bodies()
    assert str(holding_replies.STANDARD_REASONS) in body
    assert str(disp.REFER_NOW) in body and disp.FOS_PHONE in body and disp.FOS_LEAFLET in body


def test_the_sweep_gives_the_latest_extensions_reasons(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        services.complaint_extend_deadline(
            complaint=case,
            actor=Actor.staff(hana),
            resolve_by=MONDAY + dt.timedelta(weeks=9),
            reason="We are waiting for the card scheme's records.",
        )
        clock.move_to(promise(case, P.HOLDING_REPLY).aim + dt.timedelta(minutes=5))
        jobs.holding_replies_send()
        deliver_pending()
    (body,) = holding_bodies()
    assert "We are waiting for the card scheme's records." in body


def test_the_handlers_extension_never_moves_the_regulators_promises(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        before = {kind: promise(case, kind).limit for kind in (P.FINAL_RESPONSE, P.HOLDING_REPLY)}
        services.complaint_extend_deadline(
            complaint=case,
            actor=Actor.staff(hana),
            resolve_by=MONDAY + dt.timedelta(weeks=12),
            reason="More time.",
        )
    assert {kind: promise(case, kind).limit for kind in before} == before
    assert promise(case, P.FULL_RESPONSE).limit == MONDAY + dt.timedelta(weeks=12)


def test_a_final_response_sent_first_releases_the_holding_reply(policy_e):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        clock.move_to(MONDAY + dt.timedelta(weeks=2))
        services.complaint_respond(
            complaint=case,
            actor=Actor.staff(hana),
            findings="Found.",
            actions="",
            reasoning="Because.",
            outcome="not_upheld",
        )
        deliver_pending()
        clock.move_to(promise(case, P.HOLDING_REPLY).limit - dt.timedelta(hours=1))
        assert jobs.holding_replies_send() == 0
    assert promise(case, P.FINAL_RESPONSE).kept_by.startswith(K.RESPONSE)
    assert promise(case, P.HOLDING_REPLY).released_at is not None
    assert not holding_bodies()


def test_the_handlers_holding_reply_moves_the_final_response_to_its_date(policy_e):
    hana = HandlerFactory(username="hana")
    later = MONDAY + dt.timedelta(weeks=10)
    with time_machine.travel(MONDAY + dt.timedelta(weeks=6), tick=False):
        with time_machine.travel(MONDAY, tick=False):
            case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        limit = promise(case, P.HOLDING_REPLY).limit
        holding_replies.complaint_send_holding_reply(
            complaint=case, actor=Actor.staff(hana), reasons="An expert report.", expected_by=later
        )
        deliver_pending()
        with pytest.raises(ComplaintError, match="already written"):
            holding_replies.complaint_send_holding_reply(
                complaint=case, actor=Actor.staff(hana), reasons="Again.", expected_by=later
            )
    holding, final = promise(case, P.HOLDING_REPLY), promise(case, P.FINAL_RESPONSE)
    # The regulator's limit was met by the holding reply; the final response runs to our date.
    assert holding.kept_at is not None and holding.limit == limit
    assert final.limit == later and final.extension_reason == "An expert report."


def test_payment_services_run_on_fifteen_business_days_and_at_most_thirty_five(policy_e, payments):
    hana = HandlerFactory(username="hana")
    calendar = policy_e.calendar()
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e, category=payments)
    final = promise(case, P.FINAL_RESPONSE)
    assert final.limit == calendar.add(MONDAY, 15, "business_days")
    longest = calendar.add(MONDAY, 35, "business_days")
    with time_machine.travel(MONDAY + dt.timedelta(days=8), tick=False):
        written = Notification.objects.count()
        with pytest.raises(ComplaintError, match="35 business days"):
            holding_replies.complaint_send_holding_reply(
                complaint=case,
                actor=Actor.staff(hana),
                reasons="Waiting for the bank.",
                expected_by=longest + dt.timedelta(minutes=1),
            )
        assert Notification.objects.count() == written
        assert promise(case, P.HOLDING_REPLY).kept_at is None
        holding_replies.complaint_send_holding_reply(
            complaint=case,
            actor=Actor.staff(hana),
            reasons="Waiting for the bank.",
            expected_by=longest,
        )
    assert promise(case, P.FINAL_RESPONSE).limit == longest


def test_the_sweep_states_the_regulatory_maximum_for_payment_services(policy_e, payments):
    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e, category=payments)
        holding = promise(case, P.HOLDING_REPLY)
        clock.move_to(holding.aim + dt.timedelta(minutes=5))
        assert jobs.holding_replies_send() == 1
    longest = policy_e.calendar().add(MONDAY, 35, "business_days")
    assert promise(case, P.FINAL_RESPONSE).limit == longest


def test_the_check_refuses_a_holding_reply_whose_template_lacks_the_ombudsman(policy_e, tmp_path):
    hana = HandlerFactory(username="hana")
    block = tmp_path / "notifications" / "email" / "packs" / "disp"
    block.mkdir(parents=True)
    (block / "holding_reply.txt").write_text("We will write again.\n")
    from django.conf import settings

    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    with time_machine.travel(MONDAY, tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        written = Notification.objects.count()
        with override_settings(TEMPLATES=templates), pytest.raises(StatementsMissing) as refusal:
            holding_replies.complaint_send_holding_reply(
                complaint=case,
                actor=Actor.staff(hana),
                reasons="An expert report.",
                expected_by=MONDAY + dt.timedelta(weeks=9),
            )
    assert any("Financial Ombudsman Service" in missing for missing in refusal.value.missing)
    assert Notification.objects.count() == written
    assert promise(case, P.HOLDING_REPLY).kept_at is None
    assert not case.events.filter(action="holding_reply").exists()


def test_withdrawal_releases_the_regulators_promises(policy_e):
    hana = HandlerFactory(username="hana")
    case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
    services.complaint_withdraw(complaint=case, actor=Actor.staff(hana), reason="Sorted.")
    for kind in (P.FINAL_RESPONSE, P.HOLDING_REPLY):
        assert promise(case, kind).released_at is not None


def test_reports_can_tell_a_case_answered_by_the_limit_by_a_holding_reply_or_a_final_response(
    policy_e,
):
    from complaints.models import Promise
    from complaints.promise_records import answered_by_regulatory_limit

    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY, tick=False) as clock:
        by_holding = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        by_response = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        unanswered = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        clock.move_to(MONDAY + dt.timedelta(weeks=2))
        services.complaint_respond(
            complaint=by_response,
            actor=Actor.staff(hana),
            findings="Found.",
            actions="",
            reasoning="Because.",
            outcome="not_upheld",
        )
        holding_replies.complaint_send_holding_reply(
            complaint=by_holding,
            actor=Actor.staff(hana),
            reasons="An expert report.",
            expected_by=MONDAY + dt.timedelta(weeks=10),
        )
        deliver_pending()
        Promise.objects.filter(complaint=unanswered, kind=P.HOLDING_REPLY).update(aim=None)
        clock.move_to(MONDAY + dt.timedelta(weeks=9))
        jobs.holding_replies_send()
    answered = set(
        Promise.objects.filter(answered_by_regulatory_limit()).values_list("complaint", flat=True)
    )
    assert answered == {by_holding.pk, by_response.pk}


def test_a_reset_receipt_moment_counts_the_regulators_promises_again(policy_e):
    from complaints.promise_records import promises_regulatory_reset

    hana = HandlerFactory(username="hana")
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy_e)
        case.received_at = MONDAY
        promises_regulatory_reset(case, at=MONDAY + dt.timedelta(days=7))
    final = promise(case, P.FINAL_RESPONSE)
    assert final.occurrence == 2
    assert final.limit == policy_e.calendar().add(MONDAY, 56, "calendar_days")
    assert case.promises.get(kind=P.FINAL_RESPONSE, occurrence=1).released_at is not None
