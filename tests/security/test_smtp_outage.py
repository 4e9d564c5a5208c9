"""Finding 8: a long SMTP outage strands no mail; staff hear of it once; only 5xx is final."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from complaints import services
from complaints.actors import Actor
from notifications import jobs
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.cases import submit_complaint
from tests.factories import HandlerFactory, SupervisorFactory
from tests.notifications.components import MailServer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
K = Notification.Kind


class RefusingMailServer(MailServer):
    """Refuses some recipients for good (550), as a real server refuses an unknown mailbox."""

    refused = {"nobody@example.com"}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_server():
    server = RefusingMailServer()
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


@pytest.fixture
def staff(db):
    return HandlerFactory(username="hana"), SupervisorFactory(username="sam")


def acknowledgement(**overrides) -> Notification:
    case = services.complaint_acknowledge(complaint=submit_complaint(**overrides))
    return Notification.objects.get(complaint=case, kind=K.ACKNOWLEDGEMENT)


def attempt_all_day(traveller, hours: int) -> None:
    """Run the dispatch sweep every ten minutes for `hours`, as beat would (every minute)."""
    for _ in range(hours * 6):
        traveller.shift(dt.timedelta(minutes=10))
        jobs.notifications_dispatch()


def test_it_keeps_retrying_through_a_long_outage_and_sends_once_when_smtp_returns(
    policy, staff, smtp_server, settings
):
    with time_machine.travel(START, tick=False) as traveller:
        row = acknowledgement()
        smtp_server.stop()
        notification_deliver(notification_id=row.pk)
        attempt_all_day(traveller, hours=30)
        row.refresh_from_db()
        print(f"\nSMTP down 30 h: {row.attempts} attempts, status {row.status}")
        assert row.status == Notification.Status.PENDING
        assert row.attempts > settings.REDRESS_NOTIFICATION_ALERT_ATTEMPTS
        wait = row.next_attempt_at - dt.datetime.now(dt.UTC)
        assert wait <= dt.timedelta(seconds=settings.REDRESS_NOTIFICATION_RETRY_MAX_SECONDS)

        smtp_server.start()
        attempt_all_day(traveller, hours=2)

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    sent_to_rosa = [m for m in smtp_server.messages if m["To"] == "rosa@example.com"]
    assert len(sent_to_rosa) == 1


def test_it_alerts_the_handler_and_supervisors_once(policy, staff, smtp_server, settings):
    hana, sam = staff
    with time_machine.travel(START, tick=False) as traveller:
        row = acknowledgement()
        services.complaint_assign(complaint=row.complaint, actor=Actor.staff(sam), handler=hana)
        smtp_server.stop()
        notification_deliver(notification_id=row.pk)
        attempt_all_day(traveller, hours=30)
    alerts = Notification.objects.filter(kind=K.STAFF_DELIVERY_DELAYED)
    assert sorted(alerts.values_list("recipient", flat=True)) == [hana.email, sam.email]
    row.refresh_from_db()
    assert row.alerted_at is not None


def test_a_permanent_rejection_of_the_recipient_is_final_at_once(policy, staff, smtp_server):
    row = acknowledgement(complainant_email="nobody@example.com")
    assert notification_deliver(notification_id=row.pk) is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.FAILED, 1)
    assert "550" in row.last_error


def test_a_4xx_answer_is_retried(policy, staff, smtp_server):
    async def greylist(server, session, envelope, address, rcpt_options):
        return "451 4.7.1 Greylisted, try again later"

    smtp_server.handle_RCPT = greylist
    row = acknowledgement()
    assert notification_deliver(notification_id=row.pk) is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.PENDING, 1)
    assert "451" in row.last_error


def test_a_closed_cases_mail_stops_retrying_some_days_after_closure(
    policy, staff, smtp_server, settings
):
    settings.REDRESS_NOTIFICATION_CLOSED_RETRY_DAYS = 1
    with time_machine.travel(START, tick=False) as traveller:
        row = acknowledgement()
        services.complaint_withdraw(complaint=row.complaint, actor=Actor.staff(staff[0]))
        smtp_server.stop()
        attempt_all_day(traveller, hours=30)
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
