"""Error pages in the site's look and the visitor's language; a replaced link says so (410)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from complaints.models import Complaint
from tests.factories import HandlerFactory
from tests.publicsite import submit_web

pytestmark = pytest.mark.django_db


def test_it_answers_an_unknown_address_with_the_sites_404_page_in_german(client):
    response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="skip-link"' in page and 'lang="de"' in page
    assert "Seite nicht gefunden" in page
    assert reverse("track-lookup") in page


def test_it_tells_a_visitor_with_a_replaced_link_to_ask_for_a_new_one(client, policy):
    complaint = submit_web()
    old = complaint.tracking_token
    # Staff revoked the link (the lookup page sends the current one and replaces none).
    services.complaint_rotate_token(
        complaint=complaint, actor=Actor.staff(HandlerFactory(username="hana"))
    )
    for response in (
        client.get(reverse("track-case", args=[old])),
        client.post(reverse("track-reply", args=[old]), {"body": "Hello?"}),
    ):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has been replaced" in page
        assert f'href="{reverse("track-lookup")}"' in page
        assert complaint.display_reference not in page
    assert not Complaint.objects.get(pk=complaint.pk).messages.exists()


def test_a_new_link_asked_for_marks_no_activity_for_the_staff(policy):
    complaint = submit_web()
    assert services.complaint_send_tracking_link(
        reference=complaint.reference, email=complaint.complainant_email
    )
    complaint.refresh_from_db()
    assert complaint.activity_at is None
    services.complaint_withdraw(complaint=complaint, actor=COMPLAINANT, reason="Sorted.")
    complaint.refresh_from_db()
    assert complaint.activity_at is not None


def test_a_link_that_never_existed_is_still_not_found(client, policy):
    assert client.get(reverse("track-case", args=["x" * 43])).status_code == 404


def test_it_answers_a_forbidden_page_with_the_sites_403_page(client, policy):
    client.force_login(HandlerFactory(username="hana"))
    response = client.get(reverse("admin:escalations_escalation_decide", args=[1]))
    assert response.status_code == 403
    assert 'class="skip-link"' in response.content.decode()


def test_it_apologises_for_a_server_error_in_the_visitors_language():
    request = RequestFactory().get("/")
    with translation.override("de"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Etwas ist schiefgelaufen" in page and 'class="skip-link"' in page


def test_it_serves_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("redress/favicon.svg")
    assert b'rel="icon"' in client.get("/").content
