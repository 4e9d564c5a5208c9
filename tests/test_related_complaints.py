"""Related complaints: links, and a duplicate merged into its original with one clock, one count
and both histories kept; nobody learns of another complainant's case."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import clock, promise_records, related, rulepacks, services
from complaints.actors import Actor
from complaints.choices import PromiseKind, State, TargetKind
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import CaseLink, Complaint, ComplaintEvent, Message, Promise
from notifications.models import Notification
from notifications.rendering import render_email
from reports.dashboard import dashboard_figures
from reports.periods import half_year
from reports.returns import complaints_return
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory, PolicyFactory
from tests.reports_cases import attach_receipt

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)  # 9:00 in London (GMT)
LONDON = ZoneInfo("Europe/London")
EIGHT_WEEKS = dt.timedelta(weeks=8)
STATES = [
    State.RECEIVED,
    State.ACKNOWLEDGED,
    State.INVESTIGATING,
    State.RESPONDED,
    State.RESOLVED,
    State.ESCALATED,
    State.WITHDRAWN,
]
OPEN = [State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESPONDED, State.ESCALATED]


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


@pytest.fixture
def hana(db):
    return HandlerFactory(username="hana", first_name="Hana", last_name="Hale")


@pytest.fixture
def hugo(db):
    return HandlerFactory(username="hugo", first_name="Hugo", last_name="Hart")


def received(state, *, at, handler, email="rosa@example.com", **fields):
    with time_machine.travel(at, tick=False):
        return case_in(state, handler=handler, email=email, **fields)


def merge(duplicate, original, *, by, at):
    with time_machine.travel(at, tick=False):
        return related.complaint_merge(
            complaint=duplicate, original=original, actor=Actor.staff(by)
        )


class RolledBack(Exception):
    """Ends one hypothesis example's savepoint: each example starts from an empty table."""


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    duplicate_first=st.booleans(),
    gap_days=st.integers(min_value=0, max_value=40),
    original_state=st.sampled_from(STATES),
    duplicate_state=st.sampled_from(OPEN),
)
def test_a_merged_pair_counts_once_in_the_return_and_on_the_dashboard(
    policy, hana, duplicate_first, gap_days, original_state, duplicate_state
):
    try:
        with transaction.atomic():
            first_at, second_at = MONDAY, MONDAY + dt.timedelta(days=gap_days, hours=3)
            original = received(
                original_state, at=second_at if duplicate_first else first_at, handler=hana
            )
            duplicate = received(
                duplicate_state, at=first_at if duplicate_first else second_at, handler=hana
            )
            period, now = half_year("2026H1"), MONDAY + dt.timedelta(days=45)
            assert complaints_return(period)[-1].received == 2
            merged = merge(duplicate, original, by=hana, at=now)

            duplicate.refresh_from_db()
            assert duplicate.state == State.WITHDRAWN and duplicate.merged_into == merged
            assert merged.received_at == first_at
            closed = original_state in (State.RESOLVED, State.WITHDRAWN)
            total = complaints_return(period)[-1]
            assert (total.received, total.closed, total.outstanding) == (
                1,
                int(closed),
                int(not closed),
            )
            figures = dashboard_figures(period=period, category=None, now=now)
            assert (figures.received, figures.closed) == (1, int(closed))
            assert sum(count for _band, count in figures.chart("open_by_age").rows) == int(
                not closed
            )
            if closed:
                # The time band counts from the first receipt.
                assert merged.business_days_to_close == merged.business_days_since_receipt(
                    merged.closed_at
                )
            raise RolledBack
    except RolledBack:
        pass


def disp_policy():
    return PolicyFactory(is_default=True, rule_packs=["disp"])


def owe_final_response(case):
    """Make the regulatory promise as the DISP pack does at receipt, if it has not."""
    if not case.promises.filter(kind=PromiseKind.FINAL_RESPONSE).exists():
        promise_records.promise_make(
            case,
            PromiseKind.FINAL_RESPONSE,
            rulepacks.regulatory_deadline(case),
            at=case.received_at,
        )


def test_the_merged_case_runs_on_the_clock_of_the_first_receipt(hana):
    disp_policy()
    duplicate = received(State.ACKNOWLEDGED, at=MONDAY, handler=hana, email="otto@example.com")
    original = received(State.INVESTIGATING, at=MONDAY + dt.timedelta(days=9), handler=hana)
    owe_final_response(original)
    acknowledgement = original.promises.get(kind=PromiseKind.ACKNOWLEDGEMENT)
    assert acknowledgement.kept_at is None  # kept once its email is sent
    with time_machine.travel(MONDAY + dt.timedelta(days=9, hours=1), tick=False):
        deliver_pending()
    acknowledgement.refresh_from_db()
    assert acknowledgement.kept_at is not None

    merged = merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(days=10))

    assert merged.received_at == MONDAY
    final = merged.promises.get(kind=PromiseKind.FINAL_RESPONSE)
    # Eight weeks from the first receipt, at the same time of day in London (BST by then).
    assert final.limit == rulepacks.regulatory_deadline(merged).limit
    assert final.limit.astimezone(LONDON) == (MONDAY + EIGHT_WEEKS).astimezone(LONDON).replace(
        hour=9
    )
    full = merged.promises.get(kind=PromiseKind.FULL_RESPONSE)
    assert full.limit == clock.deadline_for(merged.policy, TargetKind.RESOLVE, MONDAY).limit
    assert merged.resolve_by == full.limit
    # The acknowledgement went out on the clock it had: it stays kept in time.
    kept = merged.promises.get(kind=PromiseKind.ACKNOWLEDGEMENT)
    assert (kept.limit, kept.kept_in_time()) == (acknowledgement.limit, True)
    # The queue's cache follows the promises.
    assert merged.next_deadline == min(
        promise.limit
        for promise in promise_records.open_promises(merged).exclude(
            kind=PromiseKind.PROGRESS_UPDATE
        )
    )
    note = merged.events.get(action="merged_in").note
    assert duplicate.display_reference in note and "Received moved" in note


def test_a_duplicate_received_later_moves_no_date_of_the_original(hana):
    disp_policy()
    original = received(State.INVESTIGATING, at=MONDAY, handler=hana)
    owe_final_response(original)
    duplicate = received(State.RECEIVED, at=MONDAY + dt.timedelta(days=3), handler=hana)
    before = list(original.promises.values_list("kind", "limit").order_by("pk"))

    merged = merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(days=4))

    assert merged.received_at == MONDAY
    assert list(merged.promises.values_list("kind", "limit").order_by("pk")) == before


def test_the_duplicate_keeps_its_history_and_owes_nothing_more(hana):
    duplicate = received(State.INVESTIGATING, at=MONDAY, handler=hana)
    original = received(State.INVESTIGATING, at=MONDAY + dt.timedelta(days=1), handler=hana)
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        services.complaint_record_customer_reply(complaint=duplicate, body="Here is my receipt.")
        services.complaint_add_note(
            complaint=duplicate, actor=Actor.staff(hana), body="Same as the other."
        )
    attach_receipt(duplicate)
    events = list(duplicate.events.values_list("pk", flat=True))

    merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(days=3))

    duplicate.refresh_from_db()
    assert set(events) < set(duplicate.events.values_list("pk", flat=True))
    assert duplicate.messages.count() == 2 and duplicate.attachments.count() == 1
    assert not promise_records.open_promises(duplicate).exists()
    assert Promise.objects.filter(complaint=duplicate, released_at__isnull=False).exists()
    assert duplicate.events.filter(action="merged", to_state=State.WITHDRAWN).exists()
    link = CaseLink.objects.get()
    assert (link.complaint, link.other, link.kind) == (duplicate, original, "duplicate")


def merged_message(duplicate):
    notification = Notification.objects.get(complaint=duplicate, kind=Notification.Kind.MERGED)
    return notification, render_email(notification)


def test_the_same_complainant_is_told_where_the_case_is_handled_with_its_link(hana):
    original = received(State.INVESTIGATING, at=MONDAY, handler=hana, email="rosa@example.com")
    duplicate = received(State.RECEIVED, at=MONDAY, handler=hana, email="ROSA@example.com")
    merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(hours=5))

    notification, email = merged_message(duplicate)
    assert notification.recipient == "ROSA@example.com"
    assert original.display_reference in email.body
    assert original.tracking_token in email.body


@pytest.mark.parametrize("language", ["en", "de"])
def test_another_complainant_learns_nothing_of_the_original(hana, language):
    original = received(State.INVESTIGATING, at=MONDAY, handler=hana, email="rosa@example.com")
    duplicate = received(
        State.RECEIVED,
        at=MONDAY,
        handler=hana,
        email="otto@example.com",
        complainant_name="Otto Brandt",
        language=language,
    )
    merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(hours=5))

    notification, email = merged_message(duplicate)
    assert notification.language == language
    text = email.body + email.alternatives[0][0] + email.subject
    for secret in (
        original.display_reference,
        original.reference,
        original.tracking_token,
        original.complainant_name,
    ):
        assert secret not in text
    assert duplicate.display_reference in email.body
    # Nor does the duplicate's own tracking page name it: its timeline entry keeps no note there.
    assert duplicate.events.get(action="merged").note == original.display_reference


def test_a_handler_cannot_link_or_merge_a_case_they_may_not_see(hana, hugo, policy):
    mine = received(State.INVESTIGATING, at=MONDAY, handler=hana)
    theirs = received(State.INVESTIGATING, at=MONDAY, handler=hugo, email="otto@example.com")
    with pytest.raises(NotPermitted):
        related.case_link(complaint=mine, other=theirs, actor=Actor.staff(hana))
    with pytest.raises(NotPermitted):
        related.complaint_merge(complaint=mine, original=theirs, actor=Actor.staff(hana))
    with pytest.raises(NotPermitted):
        related.complaint_merge(complaint=theirs, original=mine, actor=Actor.staff(hana))
    assert not CaseLink.objects.exists()
    assert Complaint.objects.filter(merged_into__isnull=False).count() == 0
    assert Notification.objects.filter(kind=Notification.Kind.MERGED).count() == 0


def test_links_show_on_both_timelines_and_come_off_again(hana, policy):
    first = received(State.INVESTIGATING, at=MONDAY, handler=hana)
    second = received(State.RECEIVED, at=MONDAY, handler=hana, email="otto@example.com")
    link = related.case_link(
        complaint=first, other=second, actor=Actor.staff(hana), note="Same order."
    )
    with pytest.raises(ComplaintError):
        related.case_link(complaint=second, other=first, actor=Actor.staff(hana))
    assert ComplaintEvent.objects.filter(action="case_linked").count() == 2
    related.case_unlink(link=link, actor=Actor.staff(hana))
    assert not CaseLink.objects.exists()
    for case in (first, second):
        assert case.events.filter(action="case_unlinked", is_public=False).count() == 1


def test_a_merge_is_refused_for_a_closed_or_already_merged_case(hana, policy):
    original = received(State.INVESTIGATING, at=MONDAY, handler=hana)
    closed = received(State.RESOLVED, at=MONDAY, handler=hana)
    duplicate = received(State.RECEIVED, at=MONDAY, handler=hana)
    with pytest.raises(ComplaintError):
        related.complaint_merge(complaint=closed, original=original, actor=Actor.staff(hana))
    with pytest.raises(ComplaintError):
        related.complaint_merge(complaint=original, original=original, actor=Actor.staff(hana))
    merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(hours=1))
    another = received(State.RECEIVED, at=MONDAY, handler=hana)
    with pytest.raises(ComplaintError):
        related.complaint_merge(complaint=another, original=duplicate, actor=Actor.staff(hana))
    assert Message.objects.count() == 0


def test_the_duplicates_tracking_page_says_it_was_joined_and_names_no_other_case(hana, client):
    original = received(State.INVESTIGATING, at=MONDAY, handler=hana, email="rosa@example.com")
    duplicate = received(
        State.RECEIVED,
        at=MONDAY,
        handler=hana,
        email="otto@example.com",
        complainant_name="Otto Brandt",
    )
    merge(duplicate, original, by=hana, at=MONDAY + dt.timedelta(hours=5))

    page = client.get(duplicate.tracking_path()).content.decode()
    assert "We joined this complaint to another about the same matter" in page
    assert original.display_reference not in page and original.reference not in page
