"""The case page's vulnerability and redress sections: no query for the record, one for the
ledger (only when the case has one), whatever its length."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import ledger
from complaints.actors import Actor
from complaints.choices import RedressEntryType, RedressKind, VulnerabilityDriver
from complaints.models import ApprovalLimit
from complaints.roles import HANDLERS
from complaints.vulnerability import vulnerability_record
from tests.console.pages import change_url, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def queries_for(client, case) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(change_url(case))
    assert response.status_code == 200
    return len(captured)


def pay(case, by, times):
    for _number in range(times):
        ledger.redress_record(
            complaint=case,
            actor=Actor.staff(by),
            entry_type=RedressEntryType.PAYMENT,
            kind=RedressKind.REFUND,
            amount=Decimal("5.00"),
        )


def test_the_sections_cost_no_query_for_the_record_and_one_for_the_ledger(client, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    client.get(change_url(case))  # warm the content-type and permission caches
    plain = queries_for(client, case)

    vulnerability_record(
        complaint=case,
        actor=Actor.staff(hana),
        drivers=[VulnerabilityDriver.HEALTH],
        notes="Hard of hearing.",
    )
    assert queries_for(client, case) == plain

    pay(case, hana, 1)
    one = queries_for(client, case)
    pay(case, hana, 10)
    assert queries_for(client, case) == one == plain + 1
    page = client.get(change_url(case)).content.decode()
    assert page.count('class="redress-approved"') == 11 and "Hard of hearing." in page


def test_the_list_of_redress_to_approve_shows_what_waits_on_cases_the_user_may_see(
    client, hana, hugo, sam
):
    ApprovalLimit.objects.create(
        group=Group.objects.get(name=HANDLERS), currency="EUR", amount=Decimal("1")
    )
    own = walk_to("investigating", by=hana, handler=hana)
    other = walk_to("investigating", by=hugo, handler=hugo)
    pay(own, hana, 1)
    pay(other, hugo, 1)
    url = reverse("admin:complaints_redressentry_changelist")

    client.force_login(sam)
    listed = client.get(url)
    assert {row.complaint_id for row in listed.context["cl"].result_list} == {own.pk, other.pk}
    assert client.get(reverse("admin:complaints_approvallimit_changelist")).status_code == 200

    client.force_login(hana)
    listed = client.get(url)
    assert [row.complaint_id for row in listed.context["cl"].result_list] == [own.pk]
