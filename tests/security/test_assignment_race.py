"""Finding 11: two staff assigning one case at once: the second is told, nobody wins silently."""

import threading

import pytest
from django.db import connection

from complaints import services
from complaints.actors import Actor
from complaints.admin.cases import ComplaintAdmin
from complaints.exceptions import CaseChanged
from complaints.models import Complaint
from tests.console.pages import act_url, walk_to
from tests.factories import HandlerFactory, PolicyFactory, SupervisorFactory


def test_the_second_of_two_assignments_from_the_same_moment_is_refused(db, policy, hana, hugo, sam):
    case = walk_to("acknowledged", by=sam)
    seen_by_sam, seen_by_hana = (Complaint.objects.get(pk=case.pk) for _ in range(2))
    services.complaint_assign(complaint=seen_by_sam, actor=Actor.staff(sam), handler=hugo)
    with pytest.raises(CaseChanged, match="just assigned to Hugo Hart"):
        services.complaint_assign(complaint=seen_by_hana, actor=Actor.staff(hana), handler=hana)
    case.refresh_from_db()
    assert case.handler == hugo


def test_the_console_shows_the_conflict_to_the_second(
    client, db, policy, hana, hugo, sam, monkeypatch
):
    case = walk_to("acknowledged", by=sam)
    get_object = ComplaintAdmin.get_object

    def racing_get_object(admin, request, object_id, from_field=None):
        loaded = get_object(admin, request, object_id, from_field)
        if request.method == "POST":  # Sam assigns it to Hugo while Hana's request runs
            fresh = Complaint.objects.get(pk=loaded.pk)
            services.complaint_assign(complaint=fresh, actor=Actor.staff(sam), handler=hugo)
        return loaded

    monkeypatch.setattr(ComplaintAdmin, "get_object", racing_get_object)
    client.force_login(sam)
    response = client.post(act_url(case, "assign"), {"handler": hana.pk}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "just assigned to Hugo Hart" in page
    assert "assigned." not in page.split("just assigned")[0]
    case.refresh_from_db()
    assert case.handler == hugo


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assignments_let_exactly_one_win(postgres, settings):
    settings.REDRESS_AUTO_ASSIGN = False  # unassigned: each assignment is a real change
    PolicyFactory(is_default=True)
    sam, hana, hugo = SupervisorFactory(), HandlerFactory(), HandlerFactory()
    case = walk_to("acknowledged", by=sam)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def assign(handler):
        stale = Complaint.objects.get(pk=case.pk)
        barrier.wait()
        try:
            services.complaint_assign(complaint=stale, actor=Actor.staff(sam), handler=handler)
            outcomes[handler.username] = "won"
        except CaseChanged as exc:
            outcomes[handler.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(person,)) for person in (hana, hugo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1 and len(outcomes) == 2, outcomes
    case.refresh_from_db()
    assert case.handler.username == winners[0]
