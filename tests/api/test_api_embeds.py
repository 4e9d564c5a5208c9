"""The public form framed in the organisation's dashboard: prefilled and locked from a signed token,
framed only by the configured origins, arriving verified on the dashboard-form channel."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from api.models import ApiSubmission, Scope
from api.services import api_client_create, api_client_revoke
from complaints import clock
from complaints.models import Complaint
from tests.api.conftest import api_for
from tests.publicsite import complaint_data

pytestmark = pytest.mark.django_db
ORIGINS = "https://app.acme.example\nhttps://dashboard.acme.example"
CUSTOMER = {
    "account_identifier": "CUST-1001",
    "complainant_name": "Rosa Diaz",
    "complainant_email": "rosa@example.com",
    "language": "de",
}


@pytest.fixture(autouse=True)
def no_fill_delay(settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0


@pytest.fixture
def dashboard(policy):
    return api_client_create(
        name="Acme dashboard",
        scopes=[Scope.SUBMIT, Scope.READ],
        channel="dashboard",
        embed_origins=ORIGINS,
    )


def embed_url(key) -> str:
    response = api_for(key).post("/api/v1/embeds/", CUSTOMER, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] in body["snippet"].replace("&amp;", "&")
    return body["url"].removeprefix("http://127.0.0.1:8000")


def form_data(billing, **overrides):
    data = complaint_data(category=billing.pk, **overrides)
    for locked in ("complainant_name", "complainant_email", "account_identifier"):
        data.pop(locked)
    return data


def test_the_form_is_prefilled_locked_and_framed_only_by_the_configured_origins(dashboard):
    page = Client().get(embed_url(dashboard[1]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rosa Diaz" in html and "rosa@example.com" in html and "CUST-1001" in html
    assert 'name="complainant_email"' not in html and 'name="account_identifier"' not in html
    assert 'lang="de"' in html and "Diese Angaben stammen aus Ihrem Konto" in html
    csp = page["Content-Security-Policy"]
    assert "frame-ancestors https://app.acme.example https://dashboard.acme.example" in csp
    assert "X-Frame-Options" not in page
    home = Client().get("/")
    assert "frame-ancestors 'none'" in home["Content-Security-Policy"]
    assert home["X-Frame-Options"] == "DENY"


def test_a_submission_takes_the_customer_from_the_token_whatever_the_post_says(dashboard, billing):
    url = embed_url(dashboard[1])
    data = form_data(billing) | {
        "complainant_email": "attacker@example.com",
        "account_identifier": "CUST-9999",
    }
    response = Client().post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.display_reference in response.content.decode()
    assert (complaint.complainant_email, complaint.account_identifier) == (
        "rosa@example.com",
        "CUST-1001",
    )
    assert (complaint.channel, complaint.language) == ("dashboard", "de")
    assert complaint.events.get(action="submitted_through_app").note == (
        "Acme dashboard, embedded form; account identifier from the signed link"
    )
    submission = ApiSubmission.objects.get()
    assert submission.via_embed and submission.client == dashboard[0]
    assert "frame-ancestors https://app.acme.example" in response["Content-Security-Policy"]
    listed = api_for(dashboard[1]).get("/api/v1/complaints/", {"account": "CUST-1001"}).json()
    assert [row["reference"] for row in listed["results"]] == [complaint.display_reference]


def test_bad_input_shows_the_form_again_and_stores_nothing(dashboard, billing):
    response = Client().post(embed_url(dashboard[1]), form_data(billing, description=""))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("spoil", ["expire", "tamper", "revoke", "other_client"])
def test_a_spoilt_token_gets_no_form_and_no_framing(dashboard, billing, spoil):
    url = embed_url(dashboard[1])
    if spoil == "tamper":
        url = url[:-1] + ("A" if url[-1] != "A" else "B")  # a signature that does not match
    elif spoil == "revoke":
        api_client_revoke(client=dashboard[0])
    elif spoil == "other_client":
        other, _key = api_client_create(name="Other", scopes=[Scope.SUBMIT], embed_origins=ORIGINS)
        url = url.replace(f"token={dashboard[0].pk}.", f"token={other.pk}.")
    later = clock.now() + dt.timedelta(hours=2 if spoil == "expire" else 0)
    with time_machine.travel(later):
        page = Client().get(url)
        posted = Client().post(url, form_data(billing))
    assert page.status_code == posted.status_code == 403
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert not Complaint.objects.exists()


def test_a_client_without_embed_origins_gets_no_link(policy):
    _client, key = api_client_create(name="App", scopes=[Scope.SUBMIT])
    response = api_for(key).post("/api/v1/embeds/", CUSTOMER, format="json")
    assert response.status_code == 403
    assert "origins" in response.json()["detail"]
