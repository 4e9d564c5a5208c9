"""The benchmark's bulk loader makes data the console can work with (bench/loaders.py)."""

from collections import Counter

import pytest
from django.urls import reverse

from bench.loaders import redress_complaints_load, redress_staff_load
from complaints.choices import OPEN_STATES, PromiseKind, State
from complaints.models import Complaint, ComplaintEvent, Message, Promise
from escalations.models import Escalation

pytestmark = pytest.mark.postgres


@pytest.fixture
def loaded(postgres):
    staff = redress_staff_load(handlers=3)
    redress_complaints_load(staff=staff, first=1, last=200)
    return staff


def test_it_loads_complaints_in_every_state_with_their_correspondence_and_timeline(loaded):
    states = Counter(Complaint.objects.values_list("state", flat=True))
    assert sum(states.values()) == 200
    assert states[State.RESOLVED] > states[State.INVESTIGATING] > 0
    assert set(states) == set(State.values)
    assert Message.objects.exists()
    assert ComplaintEvent.objects.filter(action="submit").count() == 200
    assert Escalation.objects.count() == states[State.ESCALATED]
    open_cases = Complaint.objects.filter(state__in=OPEN_STATES)
    assert not open_cases.filter(next_deadline__isnull=True).exists()
    assert not open_cases.exclude(state=State.RECEIVED).filter(handler__isnull=True).exists()
    # The promise records, as the services would have left them.
    assert Promise.objects.filter(kind=PromiseKind.ACKNOWLEDGEMENT).count() == 200
    updates = Promise.objects.filter(kind=PromiseKind.PROGRESS_UPDATE, kept_at__isnull=True)
    assert updates.count() == open_cases.exclude(state=State.RESPONDED).count()
    assert not Promise.objects.filter(
        complaint__state__in=[State.RESOLVED, State.WITHDRAWN],
        kept_at__isnull=True,
        released_at__isnull=True,
    ).exists()


def test_it_shows_the_queue_and_a_case_page_on_the_loaded_data(loaded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=loaded.supervisor_username))
    queue = reverse("admin:complaints_complaint_changelist")
    assert client.get(queue, {"state": "investigating"}).status_code == 200
    handler = loaded.handler_ids[0]
    response = client.get(queue, {"handler": str(handler)})
    assert response.status_code == 200
    case = Complaint.objects.filter(handler_id=handler, messages__isnull=False).first()
    response = client.get(reverse("admin:complaints_complaint_change", args=[case.pk]))
    assert response.status_code == 200
    assert case.display_reference in response.content.decode()
