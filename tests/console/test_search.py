"""The queue's search: every word of the query in the case's details or messages, seen only
where the user may see the case; full-text search on a GIN index on PostgreSQL."""

import pytest
from django.db import connection

from complaints import selectors, services
from complaints.actors import Actor
from complaints.models import Complaint
from complaints.selectors import search_matches, search_query
from tests.console.pages import CHANGELIST

pytestmark = pytest.mark.django_db


def found(client, text):
    response = client.get(CHANGELIST, {"q": text})
    assert response.status_code == 200
    return {case.complainant_name for case in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "text",
    [
        "Rosa",
        "ros diaz",  # prefixes, in any order
        "rosa@example.com",
        "ORD-77123",
        "refund",  # from the description
        "Visa",  # from a message
    ],
)
def test_it_finds_a_case_by_any_of_its_words(client, cases, hana, text):
    services.complaint_record_customer_reply(complaint=cases["own"], body="I paid by Visa.")
    Complaint.objects.filter(pk=cases["own"].pk).update(
        description="The refund never arrived.",
        complainant_name="Rosa Diaz",
        account_identifier="ORD-77123",
    )
    client.force_login(hana)
    assert found(client, text) == {"Rosa Diaz"}


def test_it_finds_a_case_by_its_reference_read_with_a_slip(client, cases, hana):
    client.force_login(hana)
    reference = cases["own"].reference
    slipped = reference[1] + reference[0] + reference[2:]
    assert found(client, reference) == {"Rosa Diaz"}
    assert "Rosa Diaz" in found(client, slipped)


def test_it_never_shows_a_handler_someone_elses_case(client, cases, hana, sam):
    services.complaint_add_note(
        complaint=cases["other"], actor=Actor.staff(sam), body="Otto mentioned Visa."
    )
    client.force_login(hana)
    assert found(client, "Otto") == set()
    assert found(client, "Visa") == set()
    client.force_login(sam)
    assert found(client, "Otto") == {"Otto Brandt"}


def test_it_finds_nothing_for_punctuation_alone(client, cases, hana):
    client.force_login(hana)
    assert found(client, "' & !") == set()


def test_it_searches_on_the_gin_indexes(postgres, cases):
    # A handful of rows: the planner would rather read them all, so ask it to avoid plain
    # scans; a text condition can then only be answered from the GIN indexes.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            plan = search_matches(search_query(["rosa"])).explain()
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_indexscan = on")
    assert "complaint_search" in plan, plan
    assert "message_search" in plan, plan


@pytest.mark.parametrize("text", ["Rosa", "refund", "Visa", "ros diaz"])
def test_it_finds_the_same_cases_when_a_word_is_in_too_many_cases_to_list(
    postgres, client, cases, hana, monkeypatch, text
):
    services.complaint_record_customer_reply(complaint=cases["own"], body="I paid by Visa.")
    Complaint.objects.filter(pk=cases["own"].pk).update(
        description="The refund never arrived.", complainant_name="Rosa Diaz"
    )
    client.force_login(hana)
    listed = found(client, text)
    # A cap of nothing: every word is common, and the queue tests each case itself.
    monkeypatch.setattr(selectors, "SEARCH_ID_LIST_CAP", 0)
    assert found(client, text) == listed
    assert listed


def test_it_walks_the_queue_without_reading_the_gin_indexes_for_a_word_in_most_cases(
    postgres, client, cases, hana, sam, monkeypatch
):
    Complaint.objects.update(description="The refund never arrived.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    # ANALYZE's sample finds "refund" in all three cases (over twice a cap of one), "rosa" in
    # one, and both together in at least one.
    monkeypatch.setattr(selectors, "SEARCH_ID_LIST_CAP", 1)
    assert selectors.search_found(["ref"], search_query(["ref"])) is None
    assert selectors.search_found(["rosa"], search_query(["rosa"])) == [cases["own"].pk]
    both = ["refund", "rosa"]
    assert selectors.search_found(both, search_query(both)) == [cases["own"].pk]
    sql, params = selectors.search_matches(search_query(["ref"])).query.sql_with_params()
    with connection.cursor() as cursor:
        # As in test_it_searches_on_the_gin_indexes: a text condition can then only be
        # answered from the GIN indexes, which the statistics leave unread.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                + selectors.SEARCH_FOUND.format(found=sql),
                [["ref"], 2, *params],
            )
            plan = "\n".join(row for (row,) in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_indexscan = on")
    assert "Bitmap Index Scan on complaint_search (never executed)" in plan, plan
    client.force_login(hana)
    assert found(client, "refund") == {"Rosa Diaz", "Una Lee"}
    client.force_login(sam)
    assert found(client, "refund") == {"Rosa Diaz", "Otto Brandt", "Una Lee"}


def test_it_reads_the_gin_indexes_when_nothing_was_analysed(postgres, cases):
    # Without statistics no word is known to be common: the GIN indexes tell.
    assert selectors.search_found(["rosa"], search_query(["rosa"])) == [cases["own"].pk]
