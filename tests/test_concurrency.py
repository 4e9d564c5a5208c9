"""Two handlers acting on one case at once on PostgreSQL: one wins, the other is told."""

import threading

import pytest
from django.db import connection

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel, State
from complaints.exceptions import CaseChanged
from complaints.models import Complaint
from tests.factories import HandlerFactory, PolicyFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_on_one_case_let_exactly_one_win(postgres):
    PolicyFactory(is_default=True)
    first, second = Actor.staff(HandlerFactory()), Actor.staff(HandlerFactory())
    case = services.complaint_acknowledge(
        complaint=services.complaint_submit(
            channel=Channel.WEB, complainant_name="Rosa", description="Charged twice."
        )
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name, action):
        stale = Complaint.objects.get(pk=case.pk)  # both read "acknowledged"
        barrier.wait()
        try:
            action(stale)
            outcomes[name] = "won"
        except CaseChanged as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "investigate",
                lambda c: services.complaint_start_investigation(complaint=c, actor=first),
            ),
        ),
        threading.Thread(
            target=act,
            args=("withdraw", lambda c: services.complaint_withdraw(complaint=c, actor=second)),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, CaseChanged)]
    assert len(winners) == 1 and len(losers) == 1
    assert "changed meanwhile" in str(losers[0])
    case.refresh_from_db()
    expected = State.INVESTIGATING if winners == ["investigate"] else State.WITHDRAWN
    assert case.state == expected
    assert case.events.filter(action__in=["start_investigation", "withdraw"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references(postgres):
    PolicyFactory(is_default=True)
    barrier = threading.Barrier(8)
    references: list[str] = []

    def submit():
        barrier.wait()
        try:
            for _ in range(10):
                case = services.complaint_submit(
                    channel=Channel.WEB, complainant_name="R", description="D"
                )
                references.append(case.reference)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(references) == len(set(references)) == 80 == Complaint.objects.count()
