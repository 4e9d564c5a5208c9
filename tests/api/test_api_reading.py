"""The app reads its customers' complaints: what the complainant sees, and nothing of others'."""

import pytest

from api.models import Scope
from api.services import api_client_create, api_client_revoke
from complaints import services
from complaints.actors import Actor
from complaints.models import Attachment, Message
from complaints.uploads import attachments_store, check_upload
from tests.api.conftest import api_for, complaint_json
from tests.cases import case_in
from tests.factories import HandlerFactory
from tests.publicsite import upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


def submit(api, billing, **overrides) -> str:
    response = api.post(URL, complaint_json(billing, **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def test_it_lists_one_customers_complaints_by_account(api, billing):
    mine = {submit(api, billing), submit(api, billing)}
    submit(api, billing, account_identifier="CUST-2002")
    response = api.get(URL, {"account": "CUST-1001"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["reference"] for row in body["results"]} == mine
    assert all(row["account_identifier"] == "CUST-1001" for row in body["results"])


def test_it_never_shows_another_clients_or_a_web_form_complaint(api, billing):
    other, other_key = api_client_create(name="Partner", scopes=[Scope.SUBMIT, Scope.READ])
    theirs = submit(api_for(other_key), billing)
    web = case_in("acknowledged", handler=HandlerFactory(), account_identifier="CUST-1001")
    assert api.get(URL, {"account": "CUST-1001"}).json()["count"] == 0
    for reference in (theirs, web.display_reference):
        response = api.get(f"{URL}{reference}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert api.post(f"{URL}{reference}/messages/", {"body": "Hi"}).status_code == 404


def test_the_detail_shows_messages_to_and_from_the_complainant_but_no_internal_note(api, billing):
    reference = submit(api, billing)
    handler = HandlerFactory()
    staff = Actor.staff(handler)
    case = services.complaint_acknowledge(complaint=api_complaint(reference), actor=staff)
    case = services.complaint_start_investigation(complaint=case, actor=staff)
    services.complaint_add_note(complaint=case, actor=staff, body="Secret: customer is a VIP.")
    services.complaint_request_information(
        complaint=case, actor=staff, body="Which card was charged?"
    )
    staff_file = check_upload(upload("internal.txt", b"Staff-only analysis.\n"))
    attachments_store(complaint=case, files=[staff_file], uploaded_by="staff", is_internal=True)
    api.post(f"{URL}{reference}/messages/", {"body": "The Visa ending 42."}, format="json")

    response = api.get(f"{URL}{reference}/")
    assert response.status_code == 200
    body = response.json()
    text = response.content.decode()
    assert "VIP" not in text and "internal.txt" not in text
    assert [(m["direction"], m["body"]) for m in body["messages"]] == [
        ("to_complainant", "Which card was charged?"),
        ("from_complainant", "The Visa ending 42."),
    ]
    assert body["state"] == "investigating"
    assert body["awaiting_information"] is False
    assert body["expected"]["full_response_by"] is not None
    assert Message.objects.filter(direction="note").count() == 1
    assert Attachment.objects.filter(is_internal=True).count() == 1


def test_the_customer_adds_information_with_files_as_the_complainant(api, billing):
    reference = submit(api, billing)
    response = api.post(
        f"{URL}{reference}/messages/",
        {"body": "Here is the receipt.", "files": [upload("receipt.txt", b"Paid 9.99\n")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    message = Message.objects.get(direction="inbound")
    assert message.body == "Here is the receipt." and message.channel == "in_app"
    assert [f["name"] for f in response.json()["files"]] == ["receipt.txt"]
    assert api_complaint(reference).events.filter(action="customer_message").exists()


def test_adding_to_a_closed_complaint_is_a_conflict_and_stores_nothing(api, billing):
    reference = submit(api, billing)
    services.complaint_withdraw(
        complaint=api_complaint(reference), actor=Actor.staff(HandlerFactory())
    )
    response = api.post(f"{URL}{reference}/messages/", {"body": "Hello?"}, format="json")
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"].lower()
    assert not Message.objects.exists()


def test_an_empty_message_is_refused_with_the_field(api, billing):
    reference = submit(api, billing)
    response = api.post(f"{URL}{reference}/messages/", {"body": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/body"


def test_it_needs_a_key_and_the_scope_for_each_action(billing):
    anonymous = api_for("rdk_000000000000_nope")
    assert anonymous.get(URL).status_code == 401
    unauthenticated = api_for("")
    unauthenticated.credentials()
    response = unauthenticated.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")

    _reader, read_key = api_client_create(name="Reader", scopes=[Scope.READ])
    reader = api_for(read_key)
    assert reader.get(URL).status_code == 200
    response = reader.post(URL, complaint_json(billing), format="json")
    assert response.status_code == 403
    assert "submit" in response.json()["detail"]

    _submitter, submit_key = api_client_create(name="Submitter", scopes=[Scope.SUBMIT])
    submitter = api_for(submit_key)
    reference = submit(submitter, billing)
    assert submitter.get(URL).status_code == 403
    assert submitter.get(f"{URL}{reference}/").status_code == 403


def test_a_revoked_key_stops_working_at_once(api, app_client, billing):
    assert api.get(URL).status_code == 200
    api_client_revoke(client=app_client[0])
    response = api.get(URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_client_may_submit_only_for_its_allowed_accounts(billing):
    _client, key = api_client_create(
        name="Shop", scopes=[Scope.SUBMIT, Scope.READ], account_pattern=r"CUST-[0-9]+"
    )
    shop = api_for(key)
    assert shop.post(URL, complaint_json(billing), format="json").status_code == 201
    response = shop.post(URL, complaint_json(billing, account_identifier="admin"), format="json")
    assert response.status_code == 403


def test_it_records_when_a_client_was_last_used(api, app_client):
    client = app_client[0]
    assert client.last_used_at is None
    api.get(URL)
    client.refresh_from_db()
    assert client.last_used_at is not None


def api_complaint(reference):
    from complaints.models import Complaint
    from complaints.references import normalise

    return Complaint.objects.get(reference=normalise(reference))


def test_a_refused_file_with_a_message_stores_neither(api, billing):
    reference = submit(api, billing)
    response = api.post(
        f"{URL}{reference}/messages/",
        {"body": "See attached.", "files": [upload("photo.png", b"not an image")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/files"
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_the_list_and_the_detail_run_a_fixed_number_of_queries(api, billing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reference = submit(api, billing)
    api.get(URL)  # the client's last use is written once a minute: out of the way
    with CaptureQueriesContext(connection) as one:
        api.get(URL, {"account": "CUST-1001"})
    with CaptureQueriesContext(connection) as detail_short:
        api.get(f"{URL}{reference}/")
    for n in range(5):
        submit(api, billing)
        api.post(f"{URL}{reference}/messages/", {"body": f"More {n}."}, format="json")
    with CaptureQueriesContext(connection) as six:
        api.get(URL, {"account": "CUST-1001"})
    with CaptureQueriesContext(connection) as detail_long:
        api.get(f"{URL}{reference}/")
    assert len(one) == len(six)
    assert len(detail_short) == len(detail_long)
