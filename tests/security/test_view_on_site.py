"""Finding 1: the admin's "view on site" never hands a complainant's tracking token to staff."""

import pytest
from django.contrib.contenttypes.models import ContentType

from complaints.models import Complaint

pytestmark = pytest.mark.django_db


def shortcut(case) -> str:
    content_type = ContentType.objects.get_for_model(Complaint)
    return f"/admin/r/{content_type.pk}/{case.pk}/"


def test_it_never_redirects_staff_to_a_tracking_link(client, cases, hugo, olga):
    for person in (hugo, olga):
        client.force_login(person)
        for case in cases.values():
            response = client.get(shortcut(case), follow=True)
            seen = b"".join(
                [response.content, *(url.encode() for url, _status in response.redirect_chain)]
            )
            assert case.tracking_token.encode() not in seen
            assert not any("/track/" in url for url, _status in response.redirect_chain)


def test_it_shows_the_handler_the_complainants_page_without_the_token(client, cases, hana):
    case = cases["own"]
    client.force_login(hana)
    response = client.get(shortcut(case), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(f"/staff/cases/{case.pk}/preview/")
    page = response.content.decode()
    assert "Staff preview" in page
    assert case.tracking_token not in page
    assert 'action="/track/' not in page
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_someone_elses_case_from_the_preview(client, cases, hana):
    client.force_login(hana)
    response = client.get(f"/staff/cases/{cases['other'].pk}/preview/")
    assert response.status_code == 404


def test_the_case_points_staff_at_the_preview_not_the_token(cases):
    case = cases["own"]
    assert case.tracking_token not in case.get_absolute_url()
    assert case.tracking_token in case.tracking_path()
