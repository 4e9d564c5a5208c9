"""The supervisors' dashboard: figures by database aggregation, charts as SVG, data as CSV."""

import datetime as dt
import json
import random
import sys
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from complaints.choices import Channel, Outcome, PromiseKind, State
from complaints.models import Complaint
from complaints.retention import complaint_anonymise
from reports import aggregates
from reports.dashboard import dashboard_figures
from reports.periods import Period
from tests.factories import CategoryFactory, ComplaintFactory, HandlerFactory, SupervisorFactory
from tests.reports_cases import (
    FIGURES_NOW,
    RECEIVED,
    a_desk_for_every_figure,
    closed_case,
    figures_as_data,
    holding_reply_in_time,
    promise,
)
from tests.test_fresh_install import fresh_env, run

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
FEBRUARY = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def figures(category=None):
    return dashboard_figures(period=FEBRUARY, category=category, now=NOW)


def figures_for(category):
    return dashboard_figures(period=FEBRUARY, category=category, now=FIGURES_NOW)


def test_it_counts_received_and_closed_by_channel_and_category(policy):
    billing = CategoryFactory(name="Billing")
    refunds = CategoryFactory(name="Refunds", parent=billing)
    closed_case(category=refunds)
    closed_case(category=billing, channel=Channel.PHONE)
    ComplaintFactory(received_at=RECEIVED, channel=Channel.WEB)
    ComplaintFactory(received_at=RECEIVED - dt.timedelta(days=40))  # before the period

    result = figures()
    assert (result.received, result.closed) == (3, 2)
    # Equal counts in the order of their labels, whatever order the database grouped them in.
    assert result.chart("received_by_channel").rows == [("Email", 1), ("Phone", 1), ("Web form", 1)]
    assert dict(result.chart("closed_by_category").rows) == {"Billing": 1, "Billing › Refunds": 1}
    assert figures(category=billing).received == 2


def test_it_shares_the_promises_kept_from_their_records(policy):
    limit = RECEIVED + dt.timedelta(hours=24)
    ack = PromiseKind.ACKNOWLEDGEMENT
    promise(ack, limit, kept_at=limit - dt.timedelta(hours=1))  # kept
    promise(ack, limit, kept_at=limit + dt.timedelta(days=1))  # kept late: missed
    promise(ack, limit)  # passed, never kept: missed
    promise(ack, limit, released_at=limit - dt.timedelta(hours=2))  # no longer owed: neither
    promise(ack, NOW + dt.timedelta(days=1))  # after the period: neither
    review = PromiseKind.REVIEW
    promise(review, limit, kept_at=limit)
    rows = dict(figures().chart("deadlines_kept").rows)
    assert rows["Acknowledge"] == pytest.approx(33.3)
    assert rows["Escalation review"] == 100.0
    assert rows["Full response"] == 0.0


def test_it_takes_the_median_and_90th_percentile_in_business_days(policy):
    for days in [1, 2, 3, 4, 10]:
        closed_case(business_days=days)
    resolve = figures().durations[1]
    assert (resolve.median, resolve.p90, resolve.count) == (3, pytest.approx(7.6), 5)


def test_it_reports_outcomes_redress_satisfaction_and_escalation_rate(policy):
    closed_case(outcome=Outcome.UPHELD, redress="10.00")
    closed_case(outcome=Outcome.PARTLY_UPHELD, redress="5.50", satisfaction_rating=2)
    closed_case(outcome=Outcome.NOT_UPHELD, redress="", escalated_at=RECEIVED)
    result = figures()
    assert dict(result.chart("outcomes").rows) == {
        "Upheld": 1,
        "Partly upheld": 1,
        "Not upheld": 1,
    }
    assert result.redress == [("EUR", Decimal("15.50"))]
    assert result.satisfaction_average == pytest.approx(10 / 3)
    assert result.escalation_rate == pytest.approx(100 / 3)


def test_it_bands_open_cases_by_age(policy):
    ComplaintFactory(received_at=NOW - dt.timedelta(days=3))
    ComplaintFactory(received_at=NOW - dt.timedelta(days=20))
    ComplaintFactory(received_at=NOW - dt.timedelta(days=70))
    closed_case()
    assert [count for _label, count in figures().chart("open_by_age").rows] == [1, 1, 0, 1]


def test_an_anonymised_case_still_counts_in_the_figures(policy):
    case = closed_case(redress="12.00")
    before = figures()
    complaint_anonymise(complaint_id=case.pk, now=NOW)
    after = figures()
    assert (after.received, after.closed, after.redress) == (1, 1, before.redress)
    assert after.chart("outcomes").rows == before.chart("outcomes").rows


def test_it_interpolates_percentiles_from_counts_per_day():
    days = Counter({1: 1, 2: 1, 3: 1, 4: 1, 10: 1, None: 7})
    assert aggregates.percentile(days, 0.5) == 3
    assert aggregates.percentile(days, 0.9) == pytest.approx(7.6)
    assert aggregates.percentile(Counter({None: 2}), 0.5) is None


@pytest.mark.parametrize("seed", range(8))
def test_the_percentile_from_counts_is_postgresqls_percentile_cont(postgres, seed):
    generator = random.Random(seed)
    values = [generator.randrange(60) for _n in range(generator.randrange(1, 400))]
    for fraction in [0, 0.1, 0.25, 0.5, 0.9, 0.99, 1]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) v",
                [fraction, values],
            )
            (database,) = cursor.fetchone()
        assert aggregates.percentile(Counter(values), fraction) == database


def test_it_reads_the_figures_in_a_fixed_number_of_queries(policy, django_assert_num_queries):
    billing = CategoryFactory(name="Billing")
    for days in [1, 2, 3]:
        closed_case(business_days=days, category=CategoryFactory(parent=billing))
    ComplaintFactory(received_at=RECEIVED)
    # Categories, received cases, closed cases, days to resolve, promises kept, open cases with
    # the clocks standing still now, the ledger's payments, the vulnerable cases' counts, the
    # regulator's deadlines met.
    with django_assert_num_queries(9):
        result = figures()
    with django_assert_num_queries(9):
        figures(category=billing)
    assert (result.received, result.closed, result.durations[1].count) == (4, 3, 3)


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_sees_the_dashboard_with_svg_charts_and_csv(client, policy):
    closed_case(category=CategoryFactory(name="<b>Billing</b>"))
    client.force_login(SupervisorFactory(username="sam"))
    url = reverse("admin:reports_complaintfigures_changelist")
    page = client.get(url, {"first": "2026-02-01", "last": "2026-02-28"}).content.decode()
    assert page.count('class="report-chart"') == 8 and "&lt;b&gt;Billing&lt;/b&gt;" in page
    assert "<b>Billing</b>" not in page
    csv = client.get(
        reverse("admin:reports_chart_csv", args=["closed_by_category"]),
        {"first": "2026-02-01", "last": "2026-02-28"},
    )
    assert csv["Content-Type"].startswith("text/csv")
    assert "<b>Billing</b>,1" in csv.content.decode()
    summary = client.get(reverse("admin:reports_chart_csv", args=["summary"]))
    assert summary.status_code == 200


def test_a_handler_does_not_see_the_dashboard(client, policy):
    client.force_login(HandlerFactory(username="hana"))
    response = client.get(reverse("admin:reports_complaintfigures_changelist"))
    assert response.status_code == 403


@time_machine.travel(NOW, tick=False)
def test_it_explains_a_period_that_ends_before_it_starts(client, policy):
    client.force_login(SupervisorFactory(username="sam"))
    page = client.get(
        reverse("admin:reports_complaintfigures_changelist"),
        {"first": "2026-03-01", "last": "2026-02-01"},
    ).content.decode()
    assert "A period cannot end before it starts." in page


def test_it_stores_business_days_when_a_case_is_acknowledged_and_closed(policy):
    from complaints import services
    from complaints.actors import COMPLAINANT

    with time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        case = services.complaint_submit(
            channel=Channel.WEB, complainant_name="Rosa Diaz", description="Charged twice."
        )
        case = services.complaint_acknowledge(complaint=case)
    with time_machine.travel(dt.datetime(2026, 2, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        case = services.complaint_withdraw(complaint=case, actor=COMPLAINANT)
    assert (case.business_days_to_acknowledge, case.business_days_to_close) == (0, 3)
    assert case.state == State.WITHDRAWN


@time_machine.travel(NOW, tick=False)
def test_it_shows_figures_as_people_read_them(client, policy):
    closed_case(redress="239.78", satisfaction_rating=4)
    closed_case(redress="1000.00", satisfaction_rating=5)
    client.force_login(SupervisorFactory(username="sam"))
    response = client.get(
        reverse("admin:reports_complaintfigures_changelist"),
        {"first": "2026-02-01", "last": "2026-02-28"},
    )
    summary = dict(response.context["summary"])
    assert summary["Redress paid (EUR)"] == "1,239.78"
    assert summary["Satisfaction (average of 5)"] == "4.5"
    assert summary["Received"] == "2"
    assert "0000000" not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_it_offers_periods_in_the_sites_time_zone(client, policy, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 21 March there while it is 20 March in UTC
    client.force_login(SupervisorFactory(username="sam"))
    response = client.get(reverse("admin:reports_complaintfigures_changelist"))
    presets = dict(response.context["presets"])
    assert presets["Last 7 days"] == "?first=2026-03-15&last=2026-03-21"
    assert presets["Last month"] == "?first=2026-02-01&last=2026-02-28"
    assert response.context["figures"].period.last == dt.date(2026, 3, 21)
    assert "Pacific/Auckland" in response.content.decode()


def test_it_draws_long_labels_whole():
    from reports.charts import CHARACTER_WIDTH, bar_chart
    from reports.dashboard import Chart

    label = "Account restoration or adjustment after a very long dispute"
    svg = str(bar_chart(Chart(key="k", title="Remedies", rows=[(label, 3)])))
    label_x = int(svg.split('<text x="')[1].split('"')[0])
    assert label_x >= len(label) * CHARACTER_WIDTH


def test_it_reports_each_clock_apart(policy):
    day = dt.datetime(2026, 2, 10, 17, tzinfo=dt.UTC)
    # Internal targets: one kept in time, one late; the regulator's: met by the final response,
    # met by a holding reply in time, missed.
    promise(PromiseKind.FULL_RESPONSE, day, kept_at=day - dt.timedelta(hours=1))
    promise(PromiseKind.FIRST_RESPONSE, day, kept_at=day + dt.timedelta(hours=1))
    promise(PromiseKind.FINAL_RESPONSE, day, kept_at=day)
    held = promise(PromiseKind.FINAL_RESPONSE, day, kept_at=day + dt.timedelta(days=20))
    holding_reply_in_time(held.complaint, day)
    promise(PromiseKind.FINAL_RESPONSE, day)
    # The clocks standing still now (the services that set these are tested on their own).
    Complaint.objects.filter(pk=ComplaintFactory(received_at=RECEIVED).pk).update(
        clock_paused_at=RECEIVED
    )
    Complaint.objects.filter(pk=ComplaintFactory(received_at=RECEIVED).pk).update(
        regulatory_suspended_until=NOW + dt.timedelta(days=30)
    )
    clocks = figures().clocks
    assert (clocks.internal_kept, clocks.internal_missed) == (1, 1)
    assert (clocks.regulatory_met, clocks.regulatory_missed) == (2, 1)
    assert (clocks.paused_now, clocks.suspended_now) == (1, 1)
    rows = dict(figures().summary_rows())
    assert rows["Internal targets kept in time (%)"] == 50.0
    assert rows["Regulatory deadlines met (%)"] == 66.7


def test_it_counts_every_figure_alike_on_postgresql_and_on_sqlite(policy, tmp_path):
    # `make run` runs on SQLite: the figures' written-out SQL must give the same there.
    billing = a_desk_for_every_figure()
    here = {
        "all": figures_as_data(figures_for(None)),
        "billing": figures_as_data(figures_for(billing)),
    }
    env = fresh_env(tmp_path / "figures.sqlite3")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    output = run([sys.executable, "-m", "tests.fresh.figures"], env).stdout
    there = json.loads(output.splitlines()[-1])

    assert (connection.vendor, there["vendor"]) == ("postgresql", "sqlite")
    assert there["all"] == here["all"] and there["billing"] == here["billing"]
    assert (there["page"], there["charts"]) == (200, 8)
    # Figures worth comparing: each query found something.
    every = here["all"]
    assert (every["received"], every["closed"], every["escalated"]) == (22, 7, 1)
    assert every["redress"] == [["EUR", "60.00"], ["GBP", "7.25"]]
    assert every["vulnerability"][0] == ["", 1, 3]
    clocks = every["clocks"]
    assert (clocks["regulatory_met"], clocks["regulatory_missed"]) == (2, 1)
    assert (clocks["internal_kept"], clocks["internal_missed"]) == (2, 3)
    assert (clocks["paused_now"], clocks["suspended_now"]) == (1, 1)
    assert every["durations"][1]["count"] == 7 and here["billing"]["received"] < 22


def picker(client, **query) -> str:
    page = client.get(reverse("admin:reports_complaintfigures_changelist"), query)
    html = page.content.decode()
    start = html.index('id="dashboard-form"')
    return html[start : html.index("</form>", start)]


def test_the_period_picker_shows_a_renamed_or_new_category_at_once(client, policy):
    billing = CategoryFactory(name="Billing")
    client.force_login(SupervisorFactory(username="sam"))
    assert ">Billing</option>" in picker(client)

    billing.name = "Invoices"
    billing.save()
    CategoryFactory(name="Access")
    drawn = picker(client)
    assert ">Invoices</option>" in drawn and ">Access</option>" in drawn
    assert "Billing" not in drawn


def test_the_period_picker_shows_the_period_and_category_asked_for(client, policy):
    billing = CategoryFactory(name="Billing")
    client.force_login(SupervisorFactory(username="sam"))
    picker(client)  # the blank picker, drawn and kept

    chosen = picker(client, first="2026-01-01", last="2026-06-30", category=billing.pk)
    assert 'value="2026-01-01"' in chosen and 'value="2026-06-30"' in chosen
    assert f'value="{billing.pk}" selected' in chosen
    blank = picker(client)
    assert "2026-01-01" not in blank and "selected>Billing" not in blank
    assert f'value="{billing.pk}" selected' not in blank


def test_it_draws_the_period_picker_with_its_errors_as_the_form_has_them(client, policy):
    client.force_login(SupervisorFactory(username="sam"))
    picker(client, first="2026-01-01")
    drawn = picker(client, first="2026-02-30")
    assert 'value="2026-02-30"' in drawn and "Enter a valid date." in drawn
    assert "Enter a valid date." not in picker(client, first="2026-01-01")
