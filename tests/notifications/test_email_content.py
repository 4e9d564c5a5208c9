"""Every kind of email renders in English and German with what the complainant needs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import Outcome, Remedy
from escalations.services import escalation_decide, escalation_request
from notifications.models import Notification
from notifications.services import notification_deliver, notification_enqueue
from tests.cases import submit_complaint
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

K = Notification.Kind


def walk_every_message(language: str) -> None:
    handler = Actor.staff(HandlerFactory(username=f"hana-{language}"))
    supervisor = Actor.staff(SupervisorFactory(username=f"sam-{language}"))
    case = services.complaint_acknowledge(complaint=submit_complaint(language=language))
    case = services.complaint_start_investigation(complaint=case, actor=handler)
    case = services.complaint_request_information(
        complaint=case, actor=handler, body="Which card was charged?"
    )
    services.complaint_send_message(complaint=case, actor=handler, body="Thank you, noted.")
    case = services.complaint_extend_deadline(
        complaint=case,
        actor=handler,
        resolve_by=case.resolve_by + dt.timedelta(days=10),
        reason="The bank has not answered yet.",
    )
    case.refresh_from_db()
    notification_enqueue(
        complaint=case,
        kind=K.PROGRESS_UPDATE,
        recipient=case.complainant_email,
        language=language,
        dedupe_key=f"{case.pk}:progress_update:test",
    )
    case = services.complaint_respond(
        complaint=case,
        actor=handler,
        findings="A duplicate charge.",
        actions="Refunded the second charge.",
        reasoning="Our payment provider retried.",
        outcome=Outcome.PARTLY_UPHELD,
        remedies=[Remedy.REFUND, Remedy.APOLOGY],
        redress_amount=Decimal("9.99"),
    )
    escalation = escalation_request(complaint=case, actor=COMPLAINANT, grounds="Too little.")
    escalation_decide(
        escalation=escalation,
        actor=supervisor,
        decision="upheld",
        reasoning="The refund was right.",
        final_response="We stand by our response.",
    )
    other = services.complaint_acknowledge(complaint=submit_complaint(language=language))
    services.complaint_withdraw(complaint=other, actor=COMPLAINANT)
    for notification in Notification.objects.filter(status=Notification.Status.PENDING):
        notification_deliver(notification_id=notification.pk)
    for notification in Notification.objects.filter(kind=K.SURVEY):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=None)
        notification_deliver(notification_id=notification.pk)


def bodies(kind: str) -> str:
    subjects = set(
        Notification.objects.filter(kind=kind, status=Notification.Status.SENT).values_list(
            "subject", flat=True
        )
    )
    return "\n".join(m.body for m in mail.outbox if m.subject in subjects)


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_sends_every_complainant_kind_with_its_content(policy, language):
    policy.external_routes = "The Financial Ombudsman Service."
    policy.external_route_time_limit = "within six months"
    policy.save()

    walk_every_message(language)

    sent = set(
        Notification.objects.filter(status=Notification.Status.SENT).values_list("kind", flat=True)
    )
    assert sent >= {
        K.ACKNOWLEDGEMENT,
        K.INFORMATION_REQUEST,
        K.MESSAGE,
        K.DEADLINE_EXTENDED,
        K.PROGRESS_UPDATE,
        K.RESPONSE,
        K.ESCALATION_RECEIVED,
        K.FINAL_RESPONSE,
        K.WITHDRAWN,
        K.SURVEY,
        K.STAFF_ASSIGNED,
    }
    assert "Which card was charged?" in bodies(K.INFORMATION_REQUEST)
    assert "The bank has not answered yet." in bodies(K.DEADLINE_EXTENDED)
    assert "The bank has not answered yet." in bodies(K.PROGRESS_UPDATE)
    assert ("9.99" if language == "en" else "9,99") in bodies(K.RESPONSE)
    assert "Our payment provider retried." in bodies(K.RESPONSE)
    offer = "Refund, Formal apology" if language == "en" else "Erstattung, Förmliche Entschuldigung"
    assert offer in bodies(K.RESPONSE)
    final = bodies(K.FINAL_RESPONSE)
    assert "The Financial Ombudsman Service." in final and "within six months" in final
    if language == "de":
        assert "Stellungnahme" in bodies(K.RESPONSE)
        assert "Beschwerde" in mail.outbox[0].subject
    else:
        assert "Refund" in bodies(K.RESPONSE)


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_names_the_time_zone_and_ends_each_sentence_with_one_full_stop(policy, language):
    policy.time_zone = "Europe/London"
    policy.save()
    walk_every_message(language)
    every = "\n".join(message.body for message in mail.outbox)
    assert "Europe/London" in bodies(K.ACKNOWLEDGEMENT)
    assert ".." not in every
    assert "p.m." not in every and "a.m." not in every
