"""Wording follows the configuration: the policy's language for its complainants, German and
English public texts and category names, and promises stated from the configured numbers."""

import re

import pytest
from django.urls import reverse

from complaints import services
from complaints.choices import Channel, TargetKind
from complaints.models import Complaint, ComplaintPolicy
from complaints.presets import NEUTRAL, PRESETS, preset_by_slug, preset_load
from notifications.models import Notification
from notifications.rendering import render_email
from tests.factories import CategoryFactory, PolicyFactory
from tests.publicsite import complaint_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_fill_delay(settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0


@pytest.fixture
def policy_b(db):
    policy, _written = preset_load(preset_by_slug("b"))
    ComplaintPolicy.objects.exclude(pk=policy.pk).update(is_default=False)
    ComplaintPolicy.objects.filter(pk=policy.pk).update(is_default=True)
    return policy


def acknowledgement_of(complaint):
    services.complaint_acknowledge(complaint=complaint)
    return complaint.notifications.get(kind=Notification.Kind.ACKNOWLEDGEMENT)


def test_it_gives_policy_b_german_as_its_complainants_language(policy_b):
    assert policy_b.language == "de"
    assert all(preset.language == "en" for preset in PRESETS if preset.slug != policy_b.slug)


def test_it_acknowledges_in_the_policys_language_when_the_complainant_chose_none(client, policy_b):
    assert client.post(reverse("complaint-new"), complaint_data()).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.language == "de"
    notice = acknowledgement_of(complaint)
    assert notice.language == "de"
    assert "Wir haben Ihre Beschwerde erhalten" in render_email(notice).subject


@pytest.mark.parametrize(
    ("how", "value"),
    [("cookie", "en"), ("header", "en-GB,en;q=0.9")],
)
def test_it_acknowledges_in_the_language_the_complainant_chose(client, policy_b, how, value):
    headers = {}
    if how == "cookie":
        client.cookies["django_language"] = value
    else:
        headers["HTTP_ACCEPT_LANGUAGE"] = value
    client.post(reverse("complaint-new"), complaint_data(), **headers)
    complaint = Complaint.objects.get()
    assert complaint.language == "en"
    assert "We have received your complaint" in render_email(acknowledgement_of(complaint)).subject


def test_it_writes_to_an_emailed_or_phoned_complaint_in_the_policys_language(policy_b):
    case = services.complaint_submit(
        channel=Channel.PHONE, complainant_name="Rosa Diaz", description="Zweimal abgebucht."
    )
    assert case.language == "de"


def test_it_opens_the_tracking_page_in_the_complaints_language(client, policy):
    complaint = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa Diaz",
        complainant_email="rosa@example.com",
        description="Zweimal abgebucht.",
        language="de",
    )
    page = client.get(complaint.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="de">' in page.content.decode()
    assert "Ihre Beschwerde ist bei uns eingegangen" in page.content.decode()

    # The switch still works, and the reader's choice then wins.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page and "Ihre Beschwerde" not in page


def test_it_shows_category_names_in_the_readers_language(client, policy):
    CategoryFactory(name="Billing", name_de="Abrechnung")
    CategoryFactory(name="Delivery")  # no German name: the English one shows
    english = client.get(reverse("complaint-new")).content.decode()
    assert ">Billing<" in english and "Abrechnung" not in english
    client.cookies["django_language"] = "de"
    german = client.get(reverse("complaint-new")).content.decode()
    assert ">Abrechnung<" in german and ">Billing<" not in german and ">Delivery<" in german


def test_it_names_the_team_in_the_complainants_language(policy):
    category = CategoryFactory(name="Billing", name_de="Abrechnung")
    case = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa Diaz",
        complainant_email="rosa@example.com",
        description="Zweimal abgebucht.",
        language="de",
        category=category,
    )
    from django.test import override_settings

    with override_settings(REDRESS_AUTO_ASSIGN=False):
        body = render_email(acknowledgement_of(case)).body
    assert "Abrechnung" in body and "Billing" not in body


def test_it_shows_the_policys_public_texts_in_the_readers_language(client):
    PolicyFactory(
        is_default=True,
        public_wording="We put things right.",
        public_wording_de="Wir bringen es in Ordnung.",
        external_routes="The ombudsman.",
    )
    english = client.get(reverse("policy")).content.decode()
    assert "We put things right." in english and "Wir bringen" not in english
    client.cookies["django_language"] = "de"
    german = client.get(reverse("policy")).content.decode()
    assert "Wir bringen es in Ordnung." in german and "We put things right." not in german
    assert "The ombudsman." in german  # no German text given: the English one shows


def test_it_states_the_promises_from_the_configured_numbers(client):
    policy = PolicyFactory(is_default=True)
    policy.targets.filter(kind=TargetKind.ACKNOWLEDGE).update(amount=3, unit="business_days")
    page = client.get(reverse("policy")).content.decode()
    assert "We acknowledge your complaint within 3 business days." in page
    client.cookies["django_language"] = "de"
    assert "innerhalb von 3 Geschäftstagen" in client.get(reverse("policy")).content.decode()


@pytest.mark.parametrize("preset", [*PRESETS, NEUTRAL], ids=lambda preset: preset.slug)
def test_it_keeps_numbers_out_of_each_presets_free_text(preset):
    for text in (preset.public_wording, preset.public_wording_de):
        assert not re.search(r"\d", text), text


def test_it_confirms_a_complainants_reply_in_the_complaints_language(client, policy):
    complaint = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa Diaz",
        complainant_email="rosa@example.com",
        description="Zweimal abgebucht.",
        language="de",
    )
    response = client.post(
        reverse("track-reply", args=[complaint.tracking_token]),
        {"body": "Hier ist der Kontoauszug."},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Danke. Wir haben Ihre Nachricht zum Fall hinzugefügt." in response.content.decode()
