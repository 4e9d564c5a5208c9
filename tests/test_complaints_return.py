"""The half-yearly complaints data return: time bands, upheld, redress, outstanding."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from complaints.choices import Outcome
from complaints.retention import complaint_anonymise
from reports.periods import half_year
from reports.returns import complaints_return
from tests.factories import CategoryFactory, ComplaintFactory, SupervisorFactory
from tests.reports_cases import RECEIVED, closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(policy):
    billing = CategoryFactory(name="Billing")
    refunds = CategoryFactory(name="Refunds", parent=billing)
    closed_case(category=refunds, business_days=2, outcome=Outcome.UPHELD, redress="10.00")
    closed_case(category=billing, days=20, business_days=14, outcome=Outcome.PARTLY_UPHELD)
    closed_case(days=70, business_days=50, outcome=Outcome.NOT_UPHELD, redress="")
    ComplaintFactory(received_at=RECEIVED, category=billing)  # still open
    # Received in 2025 and closed in 2026H1: closed in the period, not received in it.
    closed_case(received_at=RECEIVED - dt.timedelta(days=100), business_days=60, redress="")
    return billing


def test_it_bands_closed_complaints_and_counts_upheld_redress_and_outstanding(cases):
    *rows, total = complaints_return(half_year("2026H1"))
    assert [row.category for row in rows] == ["Billing", "No category"]
    billing = rows[0]
    assert (billing.received, billing.closed_within_3_business_days) == (3, 1)
    assert (billing.closed_within_8_weeks, billing.closed_later) == (1, 0)
    assert (billing.upheld, billing.redress_paid, billing.outstanding) == (
        2,
        {"EUR": Decimal("20")},
        1,
    )
    assert (total.received, total.closed, total.closed_later, total.outstanding) == (4, 4, 2, 1)


def test_outstanding_counts_cases_open_at_the_end_of_an_earlier_period(cases):
    *_rows, total = complaints_return(half_year("2025H2"))
    assert (total.received, total.closed, total.outstanding) == (1, 0, 1)


def test_an_anonymised_case_still_counts_in_the_return(policy):
    case = closed_case(business_days=1, redress="7.00")
    before = complaints_return(half_year("2026H1"))
    complaint_anonymise(complaint_id=case.pk, now=RECEIVED + dt.timedelta(days=2000))
    assert complaints_return(half_year("2026H1")) == before


def test_the_command_writes_csv_and_text(cases, tmp_path, capsys):
    call_command("complaints_return", "--period", "2026H1", "--format", "csv")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Category,Received,Closed within 3 business days")
    assert "Redress paid (EUR)" in out.splitlines()[0]
    assert "Billing,3,1,1,0,2,20.00,1" in out
    target = tmp_path / "return.txt"
    call_command("complaints_return", "--period", "2026h1", "--output", str(target))
    text = target.read_text()
    assert "Period 2026H1: 01 January 2026 to 30 June 2026" in text and "Total" in text


@pytest.mark.parametrize("period", ["2026", "2026H3", "H1-2026", ""])
def test_the_command_refuses_a_bad_period_with_a_clear_message(db, period):
    with pytest.raises(CommandError, match="is not a half-year: write it like 2026H1"):
        call_command("complaints_return", "--period", period)


def test_the_command_refuses_an_unwritable_output(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "complaints_return", "--period", "2026H1", "--output", str(tmp_path / "x" / "y")
        )


def test_a_supervisor_downloads_the_return_from_the_admin(client, cases):
    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:reports_complaints_return")
    response = client.get(url, {"period": "2026H1", "format": "csv"})
    assert response["Content-Disposition"] == (
        'attachment; filename="complaints-return-2026H1.csv"'
    )
    assert b"Billing,3,1,1,0,2,20.00,1" in response.content
    response = client.get(url, {"period": "soon", "format": "csv"}, follow=True)
    assert "is not a half-year" in response.content.decode()


def test_it_names_the_missing_field_of_the_return(client, cases):
    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:reports_complaints_return")
    response = client.get(url, {"format": "csv"}, follow=True)
    assert "Half-year: This field is required." in response.content.decode()


def test_it_groups_by_fca_product_group_and_cause_once_a_category_has_them(cases):
    # A sub-type without its own product group and cause is counted under its group's.
    cases.product_group, cases.cause_code = "banking", "terms"
    cases.save()
    insurance = CategoryFactory(name="Claims", product_group="insurance", cause_code="admin")
    own_cause = CategoryFactory(name="Chargebacks", parent=cases, cause_code="arrears")
    closed_case(category=insurance, business_days=2, outcome=Outcome.UPHELD, redress="5.00")
    closed_case(category=own_cause, days=60, business_days=41, outcome=Outcome.NOT_UPHELD)
    *rows, total = complaints_return(half_year("2026H1"))
    by_group = {row.category: row for row in rows}
    assert list(by_group) == [
        "Banking and credit cards · Arrears related",
        "Banking and credit cards · Terms and disputed sums or charges",
        "Insurance and pure protection · General admin and customer service",
        "No product group · No cause",
    ]
    terms = by_group["Banking and credit cards · Terms and disputed sums or charges"]
    assert (terms.received, terms.closed_within_3_business_days, terms.upheld) == (3, 1, 2)
    assert by_group["Banking and credit cards · Arrears related"].closed_later == 1
    claims = by_group["Insurance and pure protection · General admin and customer service"]
    assert claims.closed_within_3_business_days == 1
    assert claims.redress_paid == {"EUR": Decimal("5.00")}
    assert (total.received, total.closed) == (6, 6)
    # The category admin resolves the same way for one category.
    assert own_cause.fca_classification().product_group == "banking"
    assert own_cause.fca_classification().cause_code == "arrears"


def test_the_grouped_return_as_csv_names_its_groups(cases):
    cases.product_group = "banking"
    cases.save()
    from reports.returns import return_csv

    out = return_csv(complaints_return(half_year("2026H1")))
    assert out.splitlines()[0].startswith("Product group · cause,Received")
    assert "Banking and credit cards · No cause,3,1,1,0,2,20.00,1" in out


def test_a_supervisor_reads_the_grouped_return_as_a_page(client, cases):
    cases.product_group, cases.cause_code = "banking", "terms"
    cases.save()
    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:reports_complaints_return")
    page = client.get(url, {"period": "2026H1", "format": "page"}).content.decode()
    assert "Banking and credit cards · Terms and disputed sums or charges" in page
    assert 'id="complaints-return"' in page and "format=csv" in page
