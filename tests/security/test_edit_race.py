"""Finding 10: a correction racing a state change says "this case changed meanwhile" and keeps
what was typed: never a 500, never an overwrite."""

import datetime as dt
import re

import pytest

from complaints import services
from complaints.actors import Actor
from complaints.admin.cases import ComplaintAdmin
from complaints.models import Complaint
from tests.console.pages import change_url, walk_to

pytestmark = pytest.mark.django_db

CORRECTION = {
    "complainant_name": "Rosa Diaz",
    "complainant_email": "rosa@example.com",
    "complainant_phone": "+44 20 7946 1234",
    "language": "en",
}


def version_on(page) -> str:
    return re.search(r'name="version" value="([^"]+)"', page.content.decode()).group(1)


def test_it_keeps_the_input_when_the_state_changed_after_the_page_was_drawn(client, policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    version = version_on(client.get(change_url(case)))
    services.complaint_acknowledge(complaint=case, actor=Actor.staff(hana))

    response = client.post(change_url(case), CORRECTION | {"version": version})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This case changed meanwhile (it is now Acknowledged)" in page
    assert 'value="+44 20 7946 1234"' in page
    case.refresh_from_db()
    assert (case.state, case.complainant_phone) == ("acknowledged", "")

    again = client.post(change_url(case), CORRECTION | {"version": version_on(response)})
    assert again.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.complainant_phone) == ("acknowledged", "+44 20 7946 1234")


def test_it_answers_no_500_when_the_state_changes_during_the_request(
    client, policy, hana, monkeypatch
):
    case = walk_to("received", by=hana, handler=hana)
    client.force_login(hana)
    version = version_on(client.get(change_url(case)))
    get_object = ComplaintAdmin.get_object

    def racing_get_object(admin, request, object_id, from_field=None):
        loaded = get_object(admin, request, object_id, from_field)
        if request.method == "POST":  # a service commits between loading and saving
            services.complaint_acknowledge(complaint=Complaint.objects.get(pk=loaded.pk))
        return loaded

    monkeypatch.setattr(ComplaintAdmin, "get_object", racing_get_object)
    response = client.post(change_url(case), CORRECTION | {"version": version})
    assert response.status_code == 200
    assert "changed meanwhile" in response.content.decode()


def test_a_correction_writes_back_no_stale_field(client, policy, hana):
    case = walk_to("acknowledged", by=hana, handler=hana)
    client.force_login(hana)
    version = version_on(client.get(change_url(case)))
    later = case.next_update_due + dt.timedelta(days=3)
    Complaint.objects.filter(pk=case.pk).update(next_update_due=later)  # the progress job

    assert client.post(change_url(case), CORRECTION | {"version": version}).status_code == 302
    case.refresh_from_db()
    assert (case.complainant_phone, case.next_update_due) == ("+44 20 7946 1234", later)
