"""The case page's related complaints: linking from the page, merging after a confirmation, and
a merged duplicate's history read through its original."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import related, services
from complaints.actors import Actor
from complaints.choices import State
from complaints.models import CaseAccess, CaseLink, Complaint
from tests.console.pages import change_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def merge_url(case):
    return reverse("admin:complaints_complaint_merge", args=[case.pk])


def page_queries(client, case):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(change_url(case))
    assert response.status_code == 200
    return len(captured), response


def test_the_section_costs_one_query_however_many_cases_are_linked(client, cases, hana, sam):
    own, unassigned = cases["own"], cases["unassigned"]
    client.force_login(sam)
    client.get(change_url(own))  # warm the caches
    unlinked, _response = page_queries(client, own)
    related.case_link(complaint=own, other=unassigned, actor=Actor.staff(sam))
    one, _response = page_queries(client, own)
    for _number in range(4):
        related.case_link(complaint=own, other=submit(), actor=Actor.staff(sam))
    five, response = page_queries(client, own)
    assert one == five == unlinked + 1
    assert len(response.context["related_cases"]) == 5
    assert unassigned.display_reference in response.content.decode()


def test_a_handler_sees_that_a_link_exists_but_not_a_case_that_is_not_theirs(
    client, cases, hana, sam
):
    own, other = cases["own"], cases["other"]
    related.case_link(complaint=own, other=other, actor=Actor.staff(sam), note="Same order.")
    client.force_login(hana)
    page = client.get(change_url(own)).content.decode()
    section = page[page.index('id="related"') : page.index('id="timeline"')]
    assert "A case you may not see" in section
    assert other.display_reference not in section and change_url(other) not in page
    # The timeline records which case was linked (a reference), and nothing of its contents.
    assert other.complainant_name not in page
    assert client.get(change_url(other)).status_code == 404


def test_a_handler_links_a_case_by_its_reference_read_with_a_slip(client, cases, hana):
    own, unassigned = cases["own"], cases["unassigned"]
    client.force_login(hana)
    slip = unassigned.reference[:-1] + ("X" if unassigned.reference[-1] != "X" else "Y")
    response = client.post(
        reverse("admin:complaints_complaint_link", args=[own.pk]),
        {"reference": slip, "kind": "duplicate", "note": ""},
    )
    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert (link.complaint, link.other, link.kind) == (own, unassigned, "duplicate")


def test_a_handler_cannot_link_a_case_they_may_not_see(client, cases, hana):
    client.force_login(hana)
    client.post(
        reverse("admin:complaints_complaint_link", args=[cases["own"].pk]),
        {"reference": cases["other"].reference, "kind": "related"},
    )
    assert not CaseLink.objects.exists()


def test_a_merge_shows_what_it_does_before_it_does_it(client, cases, hana):
    own, unassigned = cases["own"], cases["unassigned"]
    client.force_login(hana)
    page = client.get(merge_url(unassigned))
    assert page.status_code == 200
    shown = client.post(merge_url(unassigned), {"original": own.display_reference})
    text = shown.content.decode()
    assert "What merging" in text and "A merge cannot be undone." in text
    assert "is not named" in text  # Una and Rosa are different people
    assert Complaint.objects.get(pk=unassigned.pk).merged_into is None

    done = client.post(
        merge_url(unassigned), {"original": own.display_reference, "confirm": "True"}
    )
    assert done.status_code == 302 and done["Location"].startswith(change_url(own))
    unassigned.refresh_from_db()
    assert (unassigned.state, unassigned.merged_into) == (State.WITHDRAWN, own)


def test_the_original_page_reads_the_merged_duplicates_history(client, cases, hana, hugo):
    own, other = cases["own"], cases["other"]
    services.complaint_record_customer_reply(complaint=other, body="My bank statement shows it.")
    # A supervisor's decision, Hugo's case into Hana's: Hana reads it through her own.
    related.complaint_merge(complaint=other, original=own, actor=Actor.staff(hugo_supervising()))
    client.force_login(hana)
    page = client.get(change_url(own)).content.decode()
    history = reverse("admin:complaints_complaint_merged", args=[own.pk, other.pk])
    assert history in page and "Merged into this case" in page
    response = client.get(history)
    assert response.status_code == 200
    assert "My bank statement shows it." in response.content.decode()
    assert CaseAccess.objects.filter(complaint=other, user=hana).exists()
    # Not through a case it was not merged into.
    elsewhere = reverse(
        "admin:complaints_complaint_merged", args=[cases["unassigned"].pk, other.pk]
    )
    assert client.get(elsewhere).status_code == 404


def hugo_supervising():
    from tests.factories import SupervisorFactory

    return SupervisorFactory(username="sofia")


def test_the_merge_page_is_refused_to_staff_who_cannot_work_cases(client, cases, olga):
    client.force_login(olga)
    assert client.get(merge_url(cases["unassigned"])).status_code in (403, 404)
