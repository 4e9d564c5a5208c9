"""A submission and a case page cost a small, fixed number of SQL queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import services
from complaints.actors import Actor
from complaints.models import Complaint
from tests.factories import HandlerFactory
from tests.publicsite import complaint_data, png_bytes, submit_web, upload

pytestmark = pytest.mark.django_db

SUBMISSION_QUERIES = 7
CASE_PAGE_QUERIES = 5


def queries_of(request) -> int:
    with CaptureQueriesContext(connection) as context:
        response = request()
    assert response.status_code in (200, 302)
    return len(context.captured_queries)


def test_it_submits_a_complaint_in_a_fixed_number_of_queries(client, settings, policy):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    one = queries_of(lambda: client.post(reverse("complaint-new"), complaint_data()))
    files = {"files": [upload(f"r{n}.png", png_bytes()) for n in range(1)]}
    again = queries_of(lambda: client.post(reverse("complaint-new"), complaint_data() | files))
    assert Complaint.objects.count() == 2
    assert one <= SUBMISSION_QUERIES
    assert again <= SUBMISSION_QUERIES + 1


def test_it_shows_a_case_page_in_the_same_queries_for_one_or_many_messages(client, policy):
    handler = Actor.staff(HandlerFactory())
    case = services.complaint_acknowledge(complaint=submit_web())
    services.complaint_send_message(complaint=case, actor=handler, body="First.")
    one = queries_of(lambda: client.get(case.tracking_path()))
    for n in range(5):
        services.complaint_send_message(complaint=case, actor=handler, body=f"More {n}.")
        services.complaint_record_customer_reply(complaint=case, body=f"Answer {n}.")
    many = queries_of(lambda: client.get(case.tracking_path()))
    assert one == many
    assert many <= CASE_PAGE_QUERIES


def test_it_stores_more_files_at_one_insert_each(client, settings, policy):
    settings.REDRESS_FORM_MIN_SECONDS = 0

    def post(count):
        files = {"files": [upload(f"r{n}.png", png_bytes()) for n in range(count)]}
        return lambda: client.post(reverse("complaint-new"), complaint_data() | files)

    assert queries_of(post(3)) - queries_of(post(1)) == 2
