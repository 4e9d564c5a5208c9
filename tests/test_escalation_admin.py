"""The supervisors' escalation queue in the admin: order, deadline state, filters and pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import clock, services
from complaints.actors import Actor
from complaints.choices import Remedy, State
from escalations.models import Escalation
from escalations.services import escalation_assign_reviewer, escalation_decide
from tests.cases import case_in
from tests.factories import SupervisorFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.escalation_people"]

CHANGELIST = "admin:escalations_escalation_changelist"


def escalated(hana, n, *, review_in, due_soon_in):
    """Return an escalation whose review is due `review_in` from now."""
    case = case_in(State.ESCALATED, handler=hana, email=f"c{n}@example.com")
    now = clock.now()
    Escalation.objects.filter(complaint=case).update(
        review_by=now + review_in, due_soon_at=now + due_soon_in
    )
    return case.escalations.get()


@pytest.fixture
def queue(policy, hana, sam, uma):
    """Four escalations: overdue, due soon (reviewed by Sam), on track, and one decided."""
    hour = dt.timedelta(hours=1)
    on_track = escalated(hana, 1, review_in=120 * hour, due_soon_in=96 * hour)
    overdue = escalated(hana, 2, review_in=-hour, due_soon_in=-25 * hour)
    due_soon = escalated(hana, 3, review_in=2 * hour, due_soon_in=-hour)
    due_soon = escalation_assign_reviewer(escalation=due_soon, actor=Actor.staff(uma), reviewer=sam)
    decided = escalated(hana, 4, review_in=-48 * hour, due_soon_in=-72 * hour)
    decided = escalation_decide(
        escalation=decided,
        actor=Actor.staff(uma),
        decision=Escalation.Decision.UPHELD,
        reasoning="Fair.",
        final_response="We stand by it.",
    )
    return {"overdue": overdue, "due_soon": due_soon, "on_track": on_track, "decided": decided}


def listed(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


def test_it_lists_open_escalations_by_review_deadline_with_their_state(client, sam, queue):
    client.force_login(sam)
    assert listed(client) == [queue[k].pk for k in ("overdue", "due_soon", "on_track")]
    page = client.get(reverse(CHANGELIST)).content.decode()
    for words in ("Overdue", "Due soon", "On track"):
        assert words in page
    assert '<span class="deadline deadline-overdue">Overdue</span>' in page
    assert "Unassigned" in page and "Sam Okafor" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"review": "unassigned"}, ["overdue", "on_track"]),
        ({"review": "mine"}, ["due_soon"]),
        ({"review": "decided"}, ["decided"]),
        ({"review": "all"}, ["decided", "overdue", "due_soon", "on_track"]),
        ({"deadline": "overdue"}, ["overdue"]),
        ({"deadline": "due_soon"}, ["due_soon"]),
        ({"deadline": "on_track"}, ["on_track"]),
        ({"review": "unassigned", "deadline": "overdue"}, ["overdue"]),
    ],
)
def test_it_filters_the_queue(client, sam, queue, params, expected):
    client.force_login(sam)
    assert listed(client, **params) == [queue[k].pk for k in expected]


def test_it_lists_the_queue_without_a_query_per_row(client, sam, hana, queue):
    client.force_login(sam)
    client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(CHANGELIST), {"review": "all"})
    for n in range(5, 8):
        escalated(hana, n, review_in=dt.timedelta(days=n), due_soon_in=dt.timedelta(days=n - 1))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse(CHANGELIST), {"review": "all"})
    assert len(more) == len(few)


def test_it_shows_an_escalation_with_its_buttons_and_history(client, sam, queue):
    client.force_login(sam)
    escalation, decided = queue["overdue"], queue["decided"]
    page = client.get(reverse("admin:escalations_escalation_change", args=[escalation.pk]))
    assert page.status_code == 200
    assert reverse("admin:escalations_escalation_decide", args=[escalation.pk]) in page.text
    page = client.get(reverse("admin:escalations_escalation_change", args=[decided.pk]))
    assert page.status_code == 200 and "We stand by it." in page.text
    assert reverse("admin:escalations_escalation_decide", args=[decided.pk]) not in page.text
    history = client.get(reverse("admin:escalations_escalation_history", args=[decided.pk]))
    assert history.status_code == 200


def test_it_assigns_a_reviewer_from_the_independent_supervisors(client, sam, uma, hana, queue):
    escalation = queue["overdue"]
    involved = SupervisorFactory(username="ivo")
    case = escalation.complaint
    case.refresh_from_db()
    services.complaint_add_note(complaint=case, actor=Actor.staff(involved), body="Hm.")
    client.force_login(sam)
    url = reverse("admin:escalations_escalation_assign", args=[escalation.pk])
    page = client.get(url)
    assert list(page.context["form"].fields["reviewer"].queryset) == [uma, sam]
    refused = client.post(url, {"reviewer": involved.pk})
    assert refused.status_code == 200 and "Select a valid choice" in refused.text
    response = client.post(url, {"reviewer": uma.pk})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.reviewer == uma and escalation.state == Escalation.State.UNDER_REVIEW


def test_it_escapes_the_complainants_grounds(client, sam, queue):
    Escalation.objects.filter(pk=queue["overdue"].pk).update(grounds="<script>alert(1)</script>")
    client.force_login(sam)
    page = client.get(reverse("admin:escalations_escalation_assign", args=[queue["overdue"].pk]))
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text


def test_it_decides_from_the_decision_page(client, sam, queue):
    escalation = queue["due_soon"]
    client.force_login(sam)
    url = reverse("admin:escalations_escalation_decide", args=[escalation.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Refund" in page.text
    incomplete = client.post(url, {"decision": "changed", "reasoning": "x", "final_response": "y"})
    assert incomplete.status_code == 200 and "needs its revised remedies" in incomplete.text
    response = client.post(
        url,
        {
            "decision": "changed",
            "revised_remedies": [Remedy.REFUND, Remedy.APOLOGY],
            "revised_redress_amount": "40.00",
            "reasoning": "The second charge caused fees.",
            "final_response": "We will refund the fees as well.",
        },
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.DECIDED and escalation.decided_by == sam
    assert escalation.complaint.state == State.RESOLVED


def test_it_tells_a_supervisor_who_may_not_decide_why(client, uma, queue):
    client.force_login(uma)
    url = reverse("admin:escalations_escalation_decide", args=[queue["due_soon"].pk])
    page = client.get(url)
    assert "Sam Okafor reviews this escalation: only they can decide it" in page.text
    client.post(url, {"decision": "upheld", "reasoning": "x", "final_response": "y"})
    assert Escalation.objects.get(pk=queue["due_soon"].pk).state == Escalation.State.UNDER_REVIEW


def test_it_sends_the_action_to_the_decision_page(client, sam, queue):
    client.force_login(sam)
    response = client.post(
        reverse(CHANGELIST), {"action": "decide", "_selected_action": [queue["overdue"].pk]}
    )
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:escalations_escalation_decide", args=[queue["overdue"].pk]
    )


def test_it_keeps_handlers_out_of_the_queue_and_its_pages(client, hana, queue):
    client.force_login(hana)
    escalation = queue["overdue"]
    assert client.get(reverse(CHANGELIST)).status_code == 403
    for name in ("assign", "decide", "change"):
        url = reverse(f"admin:escalations_escalation_{name}", args=[escalation.pk])
        assert client.get(url).status_code == 403
    decide = reverse("admin:escalations_escalation_decide", args=[escalation.pk])
    post = client.post(decide, {"decision": "upheld", "reasoning": "x", "final_response": "y"})
    assert post.status_code == 403
    assert Escalation.objects.get(pk=escalation.pk).state == Escalation.State.REQUESTED
    index = client.get(reverse("admin:index"))
    assert reverse(CHANGELIST) not in index.text


@pytest.mark.parametrize(("language", "day"), [("en", "07 Dec 14:05"), ("de", "7. Dez 14:05")])
def test_it_dates_the_review_deadline_in_the_staff_members_language(
    client, sam, queue, language, day
):
    Escalation.objects.filter(pk=queue["on_track"].pk).update(
        review_by=dt.datetime(2030, 12, 7, 14, 5, tzinfo=dt.UTC)
    )
    client.force_login(sam)
    page = client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<span class="deadline-when">{day}</span>' in page
