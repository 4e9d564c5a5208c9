"""A handler logs a complaint that came by phone, post or in person; its clock runs from receipt."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints import clock, deadlines
from complaints.models import Complaint

pytestmark = pytest.mark.django_db

ADD = "/admin/complaints/complaint/add/"


def form(received_at, **overrides):
    return {
        "channel": "phone",
        "received_at_0": received_at.strftime("%Y-%m-%d"),
        "received_at_1": received_at.strftime("%H:%M:%S"),
        "complainant_name": "Walter Post",
        "complainant_phone": "+44 161 496 0000",
        "language": "en",
        "description": "My parcel never arrived.",
    } | overrides


@pytest.mark.parametrize("who", ["hana", "sam"])
def test_it_shows_the_logging_form(client, policy, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(ADD)
    assert response.status_code == 200
    assert b'name="received_at_0"' in response.content
    assert b'value="web"' not in response.content


def test_it_logs_a_phone_complaint_with_the_clock_from_when_it_was_received(client, policy, hana):
    received = (clock.now() - dt.timedelta(days=2)).replace(microsecond=0)
    client.force_login(hana)
    response = client.post(ADD, form(received))
    case = Complaint.objects.get()
    assert response["Location"] == reverse("admin:complaints_complaint_change", args=[case.pk])
    assert case.channel == "phone"
    assert case.received_at == received
    expected = Complaint(policy=policy, received_at=received)
    deadlines.set_on_receipt(expected)
    assert case.acknowledge_by == expected.acknowledge_by
    assert case.events.get(action="received").actor == hana
    assert case.history.get().history_user == hana


def test_it_refuses_a_complaint_received_in_the_future(client, policy, hana):
    client.force_login(hana)
    response = client.post(ADD, form(clock.now() + dt.timedelta(days=1)))
    assert response.status_code == 200
    assert "received_at" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_it_refuses_a_complaint_with_no_way_to_reach_the_complainant(client, policy, hana):
    client.force_login(hana)
    response = client.post(ADD, form(clock.now() - dt.timedelta(hours=1), complainant_phone=""))
    assert "complainant_email" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_it_refuses_an_incident_after_receipt(client, policy, hana):
    received = clock.now() - dt.timedelta(days=3)
    later = clock.now() - dt.timedelta(days=1)
    client.force_login(hana)
    response = client.post(
        ADD,
        form(
            received,
            incident_at_0=later.strftime("%Y-%m-%d"),
            incident_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    assert "incident_at" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_it_draws_the_received_moment_as_the_themes_date_and_time_inputs(client, hana):
    client.force_login(hana)
    page = client.get("/admin/complaints/complaint/add/").content.decode()
    assert 'name="received_at_0"' in page and 'name="received_at_1"' in page
