"""The queue: columns, filters, search and bulk actions, as a handler and as a supervisor."""

import datetime as dt

import pytest

from complaints import clock, references
from complaints.models import Complaint
from notifications.models import Notification
from tests.console.pages import CHANGELIST, change_url, submit
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return {case.pk for case in response.context["cl"].result_list}


@pytest.mark.parametrize("who", ["hana", "sam"])
def test_it_shows_the_queue_to_handlers_and_supervisors(client, cases, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert cases["own"].display_reference.encode() in response.content


def test_it_shows_a_handler_only_their_own_and_the_unassigned_cases(client, cases, hana):
    client.force_login(hana)
    response = client.get(CHANGELIST)
    assert listed(response) == {cases["own"].pk, cases["unassigned"].pk}


def test_it_shows_a_supervisor_every_case(client, cases, sam):
    client.force_login(sam)
    assert listed(client.get(CHANGELIST)) == {case.pk for case in cases.values()}


def test_it_shows_the_deadline_state_in_words_and_colour(client, cases, hana):
    # A 24-hour acknowledgement inside a 24-hour warning window is due soon from the start.
    late = submit(received_at=clock.now() - dt.timedelta(days=3))
    client.force_login(hana)
    content = client.get(CHANGELIST).content.decode()
    assert '<span class="deadline deadline-due_soon">Due soon</span>' in content
    assert '<span class="deadline deadline-overdue">Overdue</span>' in content
    assert "redress/admin.css" in content  # where the colours are: the CSP forbids inline style
    assert "Acknowledge" in content
    assert late.display_reference in content


@pytest.mark.parametrize(
    "query",
    [
        "state=open",
        "state=received",
        "state=investigating",
        "deadline=overdue",
        "deadline=due_soon",
        "deadline=on_track",
        "channel=web",
        "handler=mine",
        "handler=unassigned",
        "escalated=yes",
        "escalated=no",
        "delivery_failed=yes",
        "delivery_failed=no",
    ],
)
@pytest.mark.parametrize("who", ["hana", "sam"])
def test_it_answers_every_filter(client, cases, who, query, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert "cl" in response.context, query


def test_it_filters_a_supervisor_queue_by_each_handler(client, cases, sam, hugo):
    client.force_login(sam)
    response = client.get(f"{CHANGELIST}?handler={hugo.pk}")
    assert listed(response) == {cases["other"].pk}
    assert b"Hugo Hart" in client.get(CHANGELIST).content


def test_it_filters_mine_and_unassigned(client, cases, hana):
    client.force_login(hana)
    assert listed(client.get(f"{CHANGELIST}?handler=mine")) == {cases["own"].pk}
    assert listed(client.get(f"{CHANGELIST}?handler=unassigned")) == {cases["unassigned"].pk}


def test_it_filters_the_cases_whose_email_could_not_be_delivered(client, cases, sam):
    Notification.objects.filter(complaint=cases["other"]).update(status=Notification.Status.FAILED)
    Notification.objects.create(
        complaint=cases["other"],
        kind=Notification.Kind.MESSAGE,
        recipient="otto@example.com",
        dedupe_key="failed-one",
        status=Notification.Status.FAILED,
    )
    client.force_login(sam)
    assert listed(client.get(f"{CHANGELIST}?delivery_failed=yes")) == {cases["other"].pk}


def test_it_filters_by_category(client, cases, sam):
    billing = CategoryFactory(name="Billing")
    Complaint.objects.filter(pk=cases["own"].pk).update(category=billing)
    client.force_login(sam)
    assert listed(client.get(f"{CHANGELIST}?category__id__exact={billing.pk}")) == {cases["own"].pk}


@pytest.mark.parametrize(
    "term",
    ["rosa@example.com", "Rosa", "CUST-1001"],
)
def test_it_finds_a_case_by_email_name_or_account(client, cases, hana, term):
    client.force_login(hana)
    assert cases["own"].pk in listed(client.get(CHANGELIST, {"q": term}))


def slips(reference):
    """Return the reference read back with a wrong check character, a wrong symbol, a swap."""
    data, check = reference[:-1], reference[-1]
    wrong_check = data + next(s for s in references.ALPHABET if s != check)
    wrong_symbol = next(
        data[:3] + symbol + data[4:] + check for symbol in references.ALPHABET if symbol != data[3]
    )
    swapped = data[1] + data[0] + data[2:] + check
    return [reference, references.display(reference).lower(), wrong_check, wrong_symbol, swapped]


@pytest.mark.parametrize("slip", range(5))
def test_it_finds_the_case_a_mistyped_reference_was_meant_for(client, cases, hana, slip):
    case = cases["own"]
    term = slips(case.reference)[slip]
    if term == case.reference and slip:
        pytest.skip("the slip happened to be no slip")
    client.force_login(hana)
    assert case.pk in listed(client.get(CHANGELIST, {"q": term}))


def test_it_does_not_find_another_handlers_case_by_reference(client, cases, hana):
    client.force_login(hana)
    assert listed(client.get(CHANGELIST, {"q": cases["other"].reference})) == set()


def test_it_assigns_the_selected_cases_to_me(client, cases, hana):
    client.force_login(hana)
    response = client.post(
        CHANGELIST,
        {"action": "assign_to_me", "_selected_action": [cases["unassigned"].pk]},
        follow=True,
    )
    assert "Assigned to you: 1." in response.content.decode()
    cases["unassigned"].refresh_from_db()
    assert cases["unassigned"].handler == hana


def test_it_asks_which_handler_then_assigns(client, cases, sam, hugo):
    client.force_login(sam)
    selected = [cases["own"].pk, cases["unassigned"].pk]
    page = client.post(CHANGELIST, {"action": "assign_to_handler", "_selected_action": selected})
    assert page.status_code == 200
    assert b"Assign complaints to a handler" in page.content
    client.post(
        CHANGELIST,
        {
            "action": "assign_to_handler",
            "_selected_action": selected,
            "apply": "1",
            "handler": hugo.pk,
        },
    )
    assert set(Complaint.objects.filter(handler=hugo).values_list("pk", flat=True)) == {
        cases["other"].pk,
        *selected,
    }


def test_it_acknowledges_in_bulk_and_reports_each_refusal(client, cases, sam):
    done = cases["own"]
    client.force_login(sam)
    client.post(CHANGELIST, {"action": "acknowledge", "_selected_action": [done.pk]})
    response = client.post(
        CHANGELIST,
        {"action": "acknowledge", "_selected_action": [done.pk, cases["other"].pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "Acknowledged: 1." in content
    assert f"Cannot acknowledge complaint {done}: it is Acknowledged." in content
    assert set(Complaint.objects.values_list("state", flat=True)) == {"acknowledged", "received"}


def test_it_orders_the_queue_by_the_next_deadline_with_none_last(client, policy, sam, settings):
    settings.REDRESS_AUTO_ASSIGN = False
    later = submit(complainant_name="Later")
    sooner = submit(complainant_name="Sooner", received_at=clock.now() - dt.timedelta(hours=5))
    closed = submit(complainant_name="Closed")
    Complaint.objects.filter(pk=closed.pk).update(next_deadline=None)
    client.force_login(sam)
    order = [case.pk for case in client.get(CHANGELIST).context["cl"].result_list]
    assert order == [sooner.pk, later.pk, closed.pk]


def category_cell(content: str, case) -> str:
    row = content.split(case.display_reference, 1)[1]
    return row.split('class="field-category_column', 1)[1].split("</td>", 1)[0]


@pytest.mark.parametrize(
    ("language", "refunds", "fees"),
    [("en", "Billing › Refunds", "Card fees"), ("de", "Abrechnung › Erstattungen", "Card fees")],
)
def test_it_names_categories_in_the_staff_members_language(
    client, cases, sam, language, refunds, fees
):
    billing = CategoryFactory(name="Billing", name_de="Abrechnung")
    refund = CategoryFactory(name="Refunds", name_de="Erstattungen", parent=billing)
    untranslated = CategoryFactory(name="Card fees")  # no German name: the English one
    Complaint.objects.filter(pk=cases["own"].pk).update(category=refund)
    Complaint.objects.filter(pk=cases["other"].pk).update(category=untranslated)
    client.force_login(sam)
    response = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE=language)
    assert f">{refunds}</td" in category_cell(response.text, cases["own"]) + "</td"
    assert f">{fees}</td" in category_cell(response.text, cases["other"]) + "</td"
    (spec,) = [
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", "") == "category__id__exact"
    ]
    choices = dict(spec.lookup_choices)
    assert choices[str(refund.pk)] == refunds
    assert choices[str(untranslated.pk)] == fees
    assert choices[str(billing.pk)] == refunds.split(" › ")[0]
    # The case page names it in the same language, and not in the other.
    page = client.get(change_url(cases["own"]), HTTP_ACCEPT_LANGUAGE=language).text
    assert refunds in page
    assert ("Billing › Refunds" if language == "de" else "Abrechnung › Erstattungen") not in page
