"""Every public page speaks German when asked, from the compiled catalogue in locale/de."""

import pytest
from django.urls import reverse

from tests.publicsite import submit_web

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(client):
    client.cookies["django_language"] = "de"
    return client


@pytest.mark.parametrize(
    ("name", "german_text", "english_text"),
    [
        ("home", "Beschwerde einreichen", "Make a complaint"),
        ("policy", "Was wir zusagen", "What we promise"),
        ("complaint-new", "Datenschutzhinweis", "Privacy notice"),
        ("track-lookup", "Link zuschicken", "Send me a link"),
    ],
)
def test_it_shows_each_page_in_german(german, policy, name, german_text, english_text):
    page = german.get(reverse(name)).content.decode()
    assert '<html lang="de">' in page
    assert german_text in page
    assert english_text not in page


def test_it_shows_the_case_page_and_its_status_in_german(german, policy):
    complaint = submit_web()
    page = german.get(complaint.tracking_path()).content.decode()
    assert "Stand: Eingegangen" in page
    assert "Ihre Beschwerde ist bei uns eingegangen" in page


def test_it_explains_a_refused_file_in_german(german, policy, settings):
    from tests.publicsite import complaint_data, upload

    settings.REDRESS_FORM_MIN_SECONDS = 0
    data = complaint_data() | {"files": [upload("setup.pdf", b"MZ\x90\x00")]}
    page = german.post(reverse("complaint-new"), data).content.decode()
    assert "hat kein Dateiformat, das wir annehmen" in page


def test_it_switches_language_with_the_language_form(client, policy):
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"}, follow=True)
    assert "Beschwerde einreichen" in response.content.decode()
