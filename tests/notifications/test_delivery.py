"""Delivering the outbox over a real SMTP server: content, retries, failures and the survey."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from notifications import jobs
from notifications.models import Notification
from notifications.services import notification_deliver
from notifications.tasks import notification_send
from tests.cases import submit_complaint
from tests.factories import HandlerFactory
from tests.notifications.components import responded

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def handler():
    return HandlerFactory(username="hana", first_name="Hana", last_name="Fischer")


def acknowledged(**overrides):
    complaint = submit_complaint(**overrides)
    return services.complaint_acknowledge(complaint=complaint)


def only(kind: str) -> Notification:
    return Notification.objects.get(kind=kind)


@override_settings(
    DEFAULT_FROM_EMAIL="Acme complaints <complaints@acme.example>",
    REDRESS_REPLY_TO_EMAIL="replies@acme.example",
    SITE_URL="https://complaints.acme.example",
)
def test_it_sends_the_acknowledgement_with_reference_dates_handler_and_link(
    policy, handler, smtp_server
):
    complaint = acknowledged()
    notification = only(Notification.Kind.ACKNOWLEDGEMENT)

    assert notification_deliver(notification_id=notification.pk) is True

    [email] = smtp_server.messages
    notification.refresh_from_db()
    assert f"[{complaint.display_reference}]" in email["Subject"]
    assert email["From"] == "Acme complaints <complaints@acme.example>"
    assert email["Reply-To"] == "replies@acme.example"
    assert email["To"] == "rosa@example.com"
    assert email["Message-ID"].strip() == notification.message_id  # long ids fold
    assert complaint.reference in notification.message_id
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "Hana Fischer" in text
    assert f"https://complaints.acme.example/track/{complaint.tracking_token}/" in text
    assert "full response by" in text
    assert complaint.display_reference in html and "<p>" in html
    assert notification.status == Notification.Status.SENT
    assert notification.subject == email["Subject"]


def test_it_writes_to_a_german_complainant_in_german(policy, handler, smtp_server):
    acknowledged(language="de")

    notification_deliver(notification_id=only(Notification.Kind.ACKNOWLEDGEMENT).pk)

    [email] = smtp_server.messages
    assert "Beschwerde" in email["Subject"]
    assert "Hallo Rosa Diaz" in email.get_body(("plain",)).get_content()


def test_it_escapes_the_complainants_words_in_the_html(policy, handler, smtp_server):
    acknowledged(complainant_name="<script>alert(1)</script>")

    notification_deliver(notification_id=only(Notification.Kind.ACKNOWLEDGEMENT).pk)

    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_it_sends_one_message_when_the_task_runs_twice(policy, handler, smtp_server):
    acknowledged()
    notification = only(Notification.Kind.ACKNOWLEDGEMENT)

    results = [notification_send(notification.pk), notification_send(notification.pk)]

    assert results == [True, False]
    assert len(smtp_server.messages) == 1


def test_it_keeps_rows_pending_while_smtp_is_down_and_sends_each_once_when_it_returns(
    policy, smtp_server
):
    with time_machine.travel(START, tick=False) as traveller:
        acknowledged()
        smtp_server.stop()
        notification = only(Notification.Kind.ACKNOWLEDGEMENT)

        assert notification_deliver(notification_id=notification.pk) is False
        notification.refresh_from_db()
        assert notification.status == Notification.Status.PENDING
        assert notification.attempts == 1
        assert "ConnectionRefusedError" in notification.last_error
        assert notification.next_attempt_at == START + dt.timedelta(minutes=1)

        traveller.shift(dt.timedelta(minutes=1))
        assert jobs.notifications_dispatch() == 0  # still down: second attempt, backoff doubles
        notification.refresh_from_db()
        assert notification.attempts == 2
        assert notification.next_attempt_at == START + dt.timedelta(minutes=3)

        smtp_server.start()
        assert jobs.notifications_dispatch() == 0  # not due yet
        traveller.shift(dt.timedelta(minutes=2))
        assert jobs.notifications_dispatch() == 1
        assert jobs.notifications_dispatch() == 0

    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 3


@override_settings(REDRESS_NOTIFICATION_ALERT_ATTEMPTS=2)
def test_it_keeps_a_row_pending_past_the_alert_threshold_and_marks_it_alerted(policy, smtp_server):
    with time_machine.travel(START, tick=False) as traveller:
        acknowledged()
        smtp_server.stop()
        notification = only(Notification.Kind.ACKNOWLEDGEMENT)
        notification_deliver(notification_id=notification.pk)
        traveller.shift(dt.timedelta(hours=1))
        jobs.notifications_dispatch()

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 2
    assert notification.alerted_at is not None
    assert notification.next_attempt_at is not None


def test_it_reclaims_a_row_whose_worker_died_while_sending(policy, smtp_server):
    with time_machine.travel(START, tick=False) as traveller:
        acknowledged()
        notification = only(Notification.Kind.ACKNOWLEDGEMENT)
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SENDING, claimed_at=START
        )
        traveller.shift(dt.timedelta(minutes=5))
        assert jobs.notifications_dispatch() == 0
        traveller.shift(dt.timedelta(minutes=6))
        assert jobs.notifications_dispatch() == 1

    assert len(smtp_server.messages) == 1


def test_it_asks_for_a_rating_once_a_day_after_resolution(policy, handler, smtp_server):
    with time_machine.travel(START, tick=False) as traveller:
        complaint = responded(handler=Actor.staff(handler))
        services.complaint_resolve(complaint=complaint, actor=COMPLAINANT)
        traveller.shift(dt.timedelta(minutes=2))
        jobs.notifications_dispatch()
        assert not Notification.objects.filter(
            kind=Notification.Kind.SURVEY, status=Notification.Status.SENT
        ).exists()

        traveller.shift(dt.timedelta(hours=24))
        assert jobs.notifications_dispatch() == 1
        assert jobs.notifications_dispatch() == 0

    survey = only(Notification.Kind.SURVEY)
    assert survey.status == Notification.Status.SENT
    assert [s for s in smtp_server.subjects() if "How did we handle" in s] == [survey.subject]
