"""The queue's one deadline column: whichever of the internal target and the regulator's
deadline needs the handler first, the regulator's named, and sorted by the sooner of the two."""

import datetime as dt
import re

import pytest
import time_machine

from complaints import clock
from complaints.admin import clocks
from complaints.models import Complaint
from complaints.presets import preset_by_slug, preset_load
from complaints.querysets import DeadlineState
from tests.cases import case_in
from tests.console.pages import CHANGELIST, change_url, submit
from tests.factories import CategoryFactory
from tests.regulatory import regulatory_promises_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def deadline_cell(content: str, case) -> str:
    row = content.split(case.display_reference, 1)[1]
    return row.split('class="field-deadline_column', 1)[1].split("</td>", 1)[0]


def clocks_set(case, *, internal: dt.datetime | None, regulatory: dt.datetime | None) -> None:
    """Put the case's two clocks' deadlines where the test needs them (the cache columns the
    queue reads; promise_records keeps them from the promises in the product)."""
    Complaint.objects.filter(pk=case.pk).update(
        next_deadline=internal,
        due_soon_at=internal - DAY if internal else None,
        regulatory_deadline=regulatory,
        regulatory_due_soon_at=regulatory - DAY if regulatory else None,
    )


@pytest.mark.parametrize(
    ("internal", "regulatory", "shown"),
    [
        # The more urgent state wins, whichever is sooner.
        (DeadlineState.ON_TRACK, DeadlineState.OVERDUE, "regulatory"),
        (DeadlineState.OVERDUE, DeadlineState.DUE_SOON, "internal"),
        (DeadlineState.PAUSED, DeadlineState.ON_TRACK, "regulatory"),
        (DeadlineState.ON_TRACK, DeadlineState.SUSPENDED, "internal"),
        (DeadlineState.ON_TRACK, DeadlineState.NONE, "internal"),
        # Both past: the regulator's breach, even when the internal target passed first.
        (DeadlineState.OVERDUE, DeadlineState.OVERDUE, "regulatory"),
    ],
)
def test_it_shows_the_more_urgent_clock(internal, regulatory, shown):
    case = Complaint(next_deadline=NOW + 30 * DAY, regulatory_deadline=NOW + 40 * DAY)
    assert clocks.regulatory_first(case, internal, regulatory) == (shown == "regulatory")


@pytest.mark.parametrize(
    ("internal_in", "regulatory_in", "shown"),
    [(3, 10, "internal"), (10, 3, "regulatory"), (5, 5, "regulatory")],
)
def test_it_shows_the_sooner_of_two_deadlines_as_urgent(internal_in, regulatory_in, shown):
    case = Complaint(
        next_deadline=NOW + internal_in * DAY, regulatory_deadline=NOW + regulatory_in * DAY
    )
    first = clocks.regulatory_first(case, DeadlineState.ON_TRACK, DeadlineState.ON_TRACK)
    assert first == (shown == "regulatory")


@pytest.fixture
def disp_category(db):
    policy, _written = preset_load(preset_by_slug("e"))
    return CategoryFactory(name="Payments", policy=policy)


def test_it_shows_a_passed_regulatory_deadline_before_a_later_internal_target(
    client, hana, disp_category
):
    with time_machine.travel(clock.now() - 70 * DAY, tick=False):
        late = case_in("investigating", handler=hana, category=disp_category)
        regulatory_promises_make(late)
    late.refresh_from_db()
    clocks_set(late, internal=clock.now() + 5 * DAY, regulatory=late.regulatory_deadline)
    client.force_login(hana)
    cell = deadline_cell(client.get(CHANGELIST).content.decode(), late)
    assert '<span class="deadline deadline-overdue">Overdue</span>' in cell
    assert '<span class="deadline-regulator" title="Regulatory deadline: UK FCA' in cell
    assert ">FCA</span>" in cell
    # The internal target is on the cell's title, not lost.
    assert re.search(r'title="Internal target: On track, \w[^"]* \d\d \w{3} \d\d:\d\d"', cell)


def test_it_shows_a_sooner_internal_target_and_names_the_regulators_on_its_title(
    client, hana, disp_category
):
    case = case_in("investigating", handler=hana, category=disp_category)
    regulatory_promises_make(case)
    case.refresh_from_db()
    assert case.next_deadline < case.regulatory_deadline
    client.force_login(hana)
    cell = deadline_cell(client.get(CHANGELIST).content.decode(), case)
    assert "deadline-regulator" not in cell
    assert 'title="Regulatory deadline (FCA): On track, ' in cell


def test_it_shows_no_regulator_where_no_policy_runs_a_regulators_clock(client, hana, cases):
    client.force_login(hana)
    content = client.get(CHANGELIST).content.decode()
    assert "deadline-regulator" not in content and "Regulatory deadline (" not in content
    assert "regulatory deadline" not in content.split("<thead", 1)[1].split("</thead>", 1)[0]


def test_it_names_the_regulator_in_german(client, hana, disp_category):
    with time_machine.travel(clock.now() - 70 * DAY, tick=False):
        late = case_in("investigating", handler=hana, category=disp_category)
        regulatory_promises_make(late)
    client.force_login(hana)
    content = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    cell = deadline_cell(content, late)
    assert 'title="Aufsichtsrechtliche Frist: ' in cell and ">FCA</span>" in cell
    assert "Nächste Frist" in content or "nächste Frist" in content


def test_it_sorts_the_deadline_column_by_the_sooner_of_the_two_clocks(client, hana, policy):
    later, regulator_sooner, sooner = submit(), submit(), submit()
    now = clock.now()
    clocks_set(later, internal=now + 5 * DAY, regulatory=None)
    clocks_set(regulator_sooner, internal=now + 10 * DAY, regulatory=now + 2 * DAY)
    clocks_set(sooner, internal=now + DAY, regulatory=None)
    none = submit()
    clocks_set(none, internal=None, regulatory=None)
    client.force_login(hana)
    response = client.get(CHANGELIST)
    headers = response.context["cl"].list_display
    column = headers.index("deadline_column")
    for order, expected in [
        (str(column), [sooner, regulator_sooner, later, none]),
        (f"-{column}", [none, later, regulator_sooner, sooner]),
    ]:
        listed = list(client.get(CHANGELIST, {"o": order}).context["cl"].result_list)
        assert [case.pk for case in listed] == [case.pk for case in expected]


@pytest.mark.parametrize(
    ("language", "internal", "regulatory"),
    [("en", "07 Dec 14:05", "09 Mar 16:00"), ("de", "7. Dez 14:05", "9. Mär 16:00")],
)
def test_it_dates_the_badges_in_the_staff_members_language(
    client, hana, disp_category, language, internal, regulatory
):
    with time_machine.travel(NOW, tick=False):
        case = case_in("investigating", handler=hana, category=disp_category)
        regulatory_promises_make(case)
        clocks_set(
            case,
            internal=dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC),
            regulatory=dt.datetime(2027, 3, 9, 16, 0, tzinfo=dt.UTC),
        )
        client.force_login(hana)
        cell = deadline_cell(client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE=language).text, case)
        page = client.get(change_url(case), HTTP_ACCEPT_LANGUAGE=language).text
    # The badge, and the other clock's deadline on hovering over it.
    assert f"{internal}</span>" in cell
    assert re.search(rf'title="[^"]*: [^"]*, {regulatory}"', cell)
    # The case page's badges of both clocks.
    assert f"{internal}</span>" in page and f"{regulatory}</span>" in page
