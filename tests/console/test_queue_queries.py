"""The queue costs the same number of queries however many cases it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from notifications.models import Notification
from tests.console.pages import CHANGELIST
from tests.factories import CategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


def add_cases(count, *, handler, category):
    for number in range(count):
        case = ComplaintFactory(
            policy=category.policy,
            category=category,
            handler=handler if number % 2 else None,
            # Found by the search below: a search that finds nothing skips the queue's queries.
            complainant_name=f"Rosa Example {number}",
        )
        Notification.objects.create(
            complaint=case,
            kind=Notification.Kind.ACKNOWLEDGEMENT,
            recipient=case.complainant_email,
            dedupe_key=f"ack-{case.pk}",
            status=Notification.Status.FAILED if number % 3 else Notification.Status.SENT,
        )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["cl"].result_list)


@pytest.mark.parametrize("who", ["hana", "sam"])
@pytest.mark.parametrize(
    "query", ["", "?state=open&deadline=due_soon", "?delivery_failed=yes&escalated=no", "?q=Rosa"]
)
def test_it_runs_as_many_queries_for_100_cases_as_for_10(client, policy, who, query, request):
    user = request.getfixturevalue(who)
    parent = CategoryFactory(name="Billing", policy=policy)
    category = CategoryFactory(name="Refunds", parent=parent, policy=policy)
    for name in ("Double charge", "Wrong amount", "Late fee", "Card declined"):
        CategoryFactory(name=name, parent=parent, policy=policy)  # the category filter's rows
    client.force_login(user)
    add_cases(10, handler=user, category=category)
    client.get(CHANGELIST)  # warm the content-type and permission caches
    ten, shown_ten = queries_for(client, CHANGELIST + query)
    add_cases(90, handler=user, category=category)
    hundred, shown_hundred = queries_for(client, CHANGELIST + query)
    assert Complaint.objects.count() == 100
    assert ten == hundred
    assert hundred <= 10
    if not query:
        assert (shown_ten, shown_hundred) == (10, 100)
