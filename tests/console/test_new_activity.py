"""Work that finds the handler: the complainant's steps mark the case and reach staff by email."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import attachments, services
from complaints.actors import COMPLAINANT, Actor
from complaints.models import Complaint
from escalations.models import Escalation
from escalations.services import escalation_assign_reviewer, escalation_request
from notifications.models import Notification, StaffPreference
from notifications.rendering import render_email
from tests.console.pages import CHANGELIST, change_url, walk_to
from tests.factories import SupervisorFactory

pytestmark = pytest.mark.django_db

ACTIVITY = Notification.Kind.STAFF_ACTIVITY


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def activity_mail(case, user):
    return Notification.objects.filter(complaint=case, kind=ACTIVITY, recipient_user=user)


def test_it_tells_the_handler_of_each_reply_once_and_marks_the_case(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=case, body="Here is my card number.")
    services.complaint_record_customer_reply(complaint=case, body="And the receipt.")
    mails = activity_mail(case, hana)
    assert mails.count() == 2
    events = list(case.events.filter(actor_kind="complainant").values_list("pk", flat=True))
    assert {mail.dedupe_key for mail in mails} == {
        f"complaint-{case.pk}:{ACTIVITY}:event-{event}:{hana.pk}" for event in events
    }
    email = render_email(mails.first())
    assert email.to == [hana.email]
    assert "The complainant sent a message." in email.body
    assert change_url(case) in email.body
    case.refresh_from_db()
    assert case.activity_at is not None


def test_it_lists_the_case_under_needs_a_reply_until_someone_opens_it(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    quiet = walk_to("investigating", by=hana, handler=hana)
    attachments.attachment_store(
        complaint=case,
        actor=COMPLAINANT,
        upload=SimpleUploadedFile("receipt.txt", b"paid twice", "text/plain"),
    )
    client.force_login(hana)
    listed = client.get(CHANGELIST + "?activity=new").context["cl"].result_list
    assert [row.pk for row in listed] == [case.pk]
    assert "activity-marker" in client.get(CHANGELIST).content.decode()
    client.get(change_url(case))
    assert Complaint.objects.get(pk=case.pk).activity_at is None
    assert not client.get(CHANGELIST + "?activity=new").context["cl"].result_list
    assert Complaint.objects.get(pk=quiet.pk).activity_at is None


def test_it_tells_the_handler_and_the_supervisors_of_a_request_for_a_review(policy, hana, sam):
    case = walk_to("responded", by=hana, handler=hana)
    escalation_request(complaint=case, actor=COMPLAINANT, grounds="The refund is too small.")
    assert activity_mail(case, hana).count() == 1
    assert activity_mail(case, sam).count() == 1
    email = render_email(activity_mail(case, sam).get())
    assert "asked for a review" in email.body


@pytest.mark.parametrize("step", ["accept", "withdraw"])
def test_it_tells_the_handler_when_the_complainant_closes_the_case(policy, hana, step):
    case = walk_to("responded", by=hana, handler=hana)
    if step == "accept":
        services.complaint_resolve(complaint=case, actor=COMPLAINANT, note="Accepted.")
    else:
        services.complaint_withdraw(complaint=case, actor=COMPLAINANT, reason="Sorted.")
    assert activity_mail(case, hana).count() == 1


def test_it_writes_nothing_for_staff_who_turned_the_emails_off(policy, hana):
    StaffPreference.objects.create(user=hana, kind=ACTIVITY, delivery=StaffPreference.Delivery.NONE)
    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=case, body="Anyone there?")
    assert not activity_mail(case, hana).exists()
    case.refresh_from_db()
    assert case.activity_at is not None  # the marker still shows


def test_it_does_not_mark_the_case_for_what_staff_do(policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    services.complaint_send_message(complaint=case, actor=Actor.staff(hana), body="Update.")
    case.refresh_from_db()
    assert case.activity_at is None
    assert not Notification.objects.filter(kind=ACTIVITY).exists()


def test_it_tells_the_reviewer_when_a_review_is_assigned(policy, hana, sam):
    case = walk_to("investigating", by=hana, handler=hana)
    escalation = escalation_request(
        complaint=case, actor=Actor.staff(hana), grounds="A senior view."
    )
    rita = SupervisorFactory(username="rita", first_name="Rita", last_name="Reed")
    escalation_assign_reviewer(escalation=escalation, actor=Actor.staff(sam), reviewer=rita)
    mail = Notification.objects.get(kind=Notification.Kind.STAFF_REVIEW_ASSIGNED)
    assert mail.recipient == rita.email
    assignment = Escalation.objects.get().complaint.events.get(
        action="escalation_reviewer_assigned"
    )
    assert mail.dedupe_key.endswith(f":event-{assignment.pk}:{rita.pk}")
    body = render_email(mail).body
    assert "You were asked to review complaint" in body
    assert "Hello Rita Reed" in body


def test_it_lets_each_staff_member_see_only_their_own_preferences(client, hana, hugo):
    StaffPreference.objects.create(user=hugo, kind=ACTIVITY, delivery="none")
    client.force_login(hana)
    url = "/admin/notifications/staffpreference/"
    assert not client.get(url).context["cl"].result_list
    response = client.post(url + "add/", {"kind": ACTIVITY, "delivery": "none"})
    assert response.status_code == 302
    assert StaffPreference.objects.get(user=hana).delivery == "none"
    other = StaffPreference.objects.get(user=hugo)
    assert client.get(f"{url}{other.pk}/change/").status_code in (302, 403, 404)


def test_it_gathers_the_activity_into_one_daily_digest_for_who_chose_it(policy, hana, hugo):
    from notifications.digests import staff_digests_send
    from notifications.models import StaffDigestItem

    StaffPreference.objects.create(
        user=hana, kind=ACTIVITY, delivery=StaffPreference.Delivery.DIGEST
    )
    first = walk_to("investigating", by=hana, handler=hana)
    second = walk_to("investigating", by=hana, handler=hana)
    services.complaint_record_customer_reply(complaint=first, body="One.")
    services.complaint_record_customer_reply(complaint=second, body="Two.")
    services.complaint_record_customer_reply(complaint=second, body="Three.")
    assert not activity_mail(first, hana).exists() and not activity_mail(second, hana).exists()

    assert staff_digests_send() == 1
    assert staff_digests_send() == 0  # nothing waits any more
    digest = Notification.objects.get(kind=Notification.Kind.STAFF_DIGEST)
    items = StaffDigestItem.objects.order_by("pk")
    assert digest.dedupe_key == f"staff_digest:{hana.pk}:{items[0].pk}-{items[2].pk}"
    assert set(items.values_list("notification", flat=True)) == {digest.pk}
    email = render_email(digest)
    assert email.to == [hana.email] and "[" not in email.subject
    assert email.body.count("The complainant sent a message.") == 3
    assert first.display_reference in email.body and second.display_reference in email.body
    assert change_url(second) in email.body


def test_it_keeps_the_digest_for_the_complainants_activity_only(hana):
    from django.core.exceptions import ValidationError

    choice = StaffPreference(
        user=hana,
        kind=Notification.Kind.STAFF_REVIEW_ASSIGNED,
        delivery=StaffPreference.Delivery.DIGEST,
    )
    with pytest.raises(ValidationError, match="daily digest"):
        choice.full_clean()


def test_the_beat_schedule_sends_the_digest_every_morning():
    from config.celery import app

    entry = app.conf.beat_schedule["notifications-staff-digests"]
    assert entry["task"] == "notifications.tasks.send_staff_digests"
    assert entry["schedule"].hour == {7}
