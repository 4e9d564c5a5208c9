"""The promises that slipped where the pieces meet over time, each kept now (issue 13)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from complaints import jobs, services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State
from complaints.presets import preset_by_slug, preset_load
from escalations.services import escalation_decide, escalation_request
from notifications.models import Notification
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind


def sent(kind: str) -> list[str]:
    return [m.body for m in mail.outbox if m.extra_headers and kind_of(m) == kind]


def kind_of(message) -> str:
    return Notification.objects.get(message_id=message.extra_headers["Message-ID"]).kind


def test_an_update_during_a_review_states_the_reviews_date_not_the_full_responses():
    policy, _written = preset_load(preset_by_slug("a"))
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Berg")
    with time_machine.travel(dt.datetime(2027, 4, 19, 9, tzinfo=dt.UTC), tick=False) as clock:
        case = case_in(State.INVESTIGATING, handler=hana, policy=policy)
        deliver_pending()
        escalation_request(complaint=case, actor=Actor.staff(hana), grounds="A senior view.")
        deliver_pending()
        review = case.promises.get(kind=PromiseKind.REVIEW)
        full = case.promises.get(kind=PromiseKind.FULL_RESPONSE)
        update = case.promises.get(kind=PromiseKind.PROGRESS_UPDATE, kept_at=None)
        clock.move_to(update.limit - dt.timedelta(hours=1))
        assert jobs.progress_updates_send() == 1
        deliver_pending()
    (body,) = sent(K.PROGRESS_UPDATE)
    local = review.limit.astimezone(dt.UTC)
    assert f"{local:%B} {local.day}, {local:%Y}" in body
    assert f"{full.limit:%B} {full.limit.day}, {full.limit:%Y}" not in body
    assert "the outcome of the review you asked for" in body


def test_an_update_says_which_date_was_missed_and_never_promises_a_past_one(policy):
    hana = HandlerFactory(username="hana")
    case = case_in(State.INVESTIGATING, handler=hana)
    deliver_pending()
    full = case.promises.get(kind=PromiseKind.FULL_RESPONSE)
    late = full.limit + dt.timedelta(days=1)
    with time_machine.travel(late, tick=False):
        # The update owed at this point goes out now, after the full response's limit.
        case.promises.filter(kind=PromiseKind.PROGRESS_UPDATE, kept_at=None).update(aim=late)
        assert jobs.progress_updates_send() == 1
        deliver_pending()
    (body,) = sent(K.PROGRESS_UPDATE)
    assert "have not managed it yet" in body
    assert "we expect to send you" not in body  # nothing else is owed ahead
    assert "we will write to you again" in body


def test_a_reopened_case_gets_its_second_response_and_resolution_by_email(policy):
    hana = HandlerFactory(username="hana")
    actor = Actor.staff(hana)
    case = case_in(State.RESOLVED, handler=hana)
    deliver_pending()
    case = services.complaint_reopen(complaint=case, actor=actor, reason="New evidence.")
    case = services.complaint_respond(
        complaint=case,
        actor=actor,
        findings="Second look.",
        actions="Refunded.",
        reasoning="The evidence showed it.",
        outcome="upheld",
    )
    case = services.complaint_resolve(complaint=case, actor=actor)
    deliver_pending()
    kinds = list(
        Notification.objects.filter(complaint=case, status=Notification.Status.SENT)
        .filter(kind__in=[K.RESPONSE, K.RESOLVED])
        .values_list("kind", flat=True)
    )
    assert sorted(kinds) == sorted([K.RESPONSE, K.RESPONSE, K.RESOLVED, K.RESOLVED])
    fulls = case.promises.filter(kind=PromiseKind.FULL_RESPONSE).order_by("occurrence")
    assert [promise.occurrence for promise in fulls] == [1, 2]
    assert all(promise.kept_at is not None for promise in fulls)


def test_the_review_is_kept_by_the_final_response_when_it_is_sent(policy):
    hana = HandlerFactory(username="hana")
    uma = SupervisorFactory(username="uma")
    case = case_in(State.RESPONDED, handler=hana)
    escalation = escalation_request(complaint=case, actor=Actor.staff(hana), grounds="Unfair.")
    escalation_decide(
        escalation=escalation,
        actor=Actor.staff(uma),
        decision="upheld",
        reasoning="The refund matched.",
        final_response="We stand by our response.",
    )
    review = case.promises.get(kind=PromiseKind.REVIEW)
    assert review.kept_at is None
    deliver_pending()
    review.refresh_from_db()
    assert review.kept_at is not None and review.kept_by.startswith(K.FINAL_RESPONSE)


def test_marking_a_case_complex_stores_the_flag_with_its_longer_deadline(policy):
    """Found by the whole-life tests: the flag was set in memory and in the history, not saved."""
    from complaints.choices import TargetKind
    from complaints.clock import Unit

    policy.targets.update_or_create(
        kind=TargetKind.COMPLEX_RESOLVE,
        defaults={"amount": 60, "unit": Unit.CALENDAR_DAYS, "aim": None},
    )
    policy.refresh_from_db()
    hana = HandlerFactory(username="hana")
    case = case_in(State.INVESTIGATING, handler=hana)
    services.complaint_mark_complex(complaint=case, actor=Actor.staff(hana), reason="Many parts.")
    case.refresh_from_db()
    assert case.is_complex
    full = case.promises.get(kind=PromiseKind.FULL_RESPONSE)
    assert full.limit == case.resolve_by and full.extension_reason == "Many parts."


def test_a_letter_keeps_its_promise_when_it_is_marked_posted_not_before(policy):
    hana = HandlerFactory(username="hana")
    case = case_in(
        State.ACKNOWLEDGED, handler=hana, email="", complainant_address="1 High Street\nLeeds"
    )
    deliver_pending()
    acknowledgement = case.promises.get(kind=PromiseKind.ACKNOWLEDGEMENT)
    letter = case.notifications.get(kind=K.ACKNOWLEDGEMENT)
    assert letter.channel == Notification.Channel.LETTER and acknowledgement.kept_at is None
    posted_at = letter.created_at + dt.timedelta(hours=3)
    with time_machine.travel(posted_at + dt.timedelta(minutes=5), tick=False):
        services.complaint_letter_mark_posted(
            notification=letter, actor=Actor.staff(hana), posted_at=posted_at
        )
    acknowledgement.refresh_from_db()
    assert acknowledgement.kept_at == posted_at
    assert acknowledgement.kept_by == f"{K.ACKNOWLEDGEMENT}:{letter.pk}"
