"""The redress ledger: offers, acceptances and payments, four eyes above a limit, the figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import ledger, services
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import (
    ApprovalStatus,
    Outcome,
    RedressEntryType,
    RedressKind,
    Remedy,
    State,
)
from complaints.exceptions import ComplaintError, NotPermitted
from complaints.models import ApprovalLimit, RedressEntry
from complaints.roles import HANDLERS, SUPERVISORS
from escalations.services import escalation_assign_reviewer, escalation_decide, escalation_request
from notifications.models import Notification
from reports.dashboard import dashboard_figures
from reports.periods import Period, half_year
from reports.returns import complaints_return
from tests.cases import case_in
from tests.factories import CategoryFactory, ComplaintFactory, HandlerFactory, SupervisorFactory
from tests.reports_cases import paid

pytestmark = pytest.mark.django_db

HANDLER_LIMIT, SUPERVISOR_LIMIT, SENIOR_LIMIT = Decimal("100"), Decimal("500"), Decimal("1000")
LIMITS = {"hana": HANDLER_LIMIT, "sam": SUPERVISOR_LIMIT, "sue": SENIOR_LIMIT}
# Amounts either side of every limit, to the cent, and a few anywhere.
AMOUNTS = st.one_of(
    st.sampled_from(
        [
            limit + delta
            for limit in LIMITS.values()
            for delta in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))
        ]
    ),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2),
)


@pytest.fixture
def people(policy):
    """Hana handles (limit 100 GBP), Sam supervises (500), Sue is a senior supervisor (1000)."""
    hana = HandlerFactory(username="hana", first_name="Hana", last_name="Hale")
    sam = SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")
    sue = SupervisorFactory(username="sue", first_name="Sue", last_name="Senior")
    seniors = Group.objects.create(name="Senior supervisors")
    sue.groups.add(seniors)
    ApprovalLimit.objects.create(
        group=Group.objects.get(name=HANDLERS), currency="GBP", amount=HANDLER_LIMIT
    )
    ApprovalLimit.objects.create(
        group=Group.objects.get(name=SUPERVISORS), currency="GBP", amount=SUPERVISOR_LIMIT
    )
    ApprovalLimit.objects.create(group=seniors, currency="GBP", amount=SENIOR_LIMIT)
    return {"hana": hana, "sam": sam, "sue": sue}


def record(case, who, amount, entry_type=RedressEntryType.PAYMENT, currency="GBP"):
    return ledger.redress_record(
        complaint=case,
        actor=Actor.staff(who),
        entry_type=entry_type,
        kind=RedressKind.GOODWILL,
        amount=amount,
        currency=currency,
    )


def respond(case, who, amount, currency="GBP"):
    return services.complaint_respond(
        complaint=case,
        actor=Actor.staff(who),
        findings="We charged you twice for March.",
        actions="We stopped the second charge.",
        reasoning="The second charge was our error.",
        outcome=Outcome.UPHELD,
        remedies=[Remedy.REFUND],
        redress_amount=amount,
        redress_currency=currency,
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amount=AMOUNTS,
    recorder=st.sampled_from(["hana", "sam", "sue"]),
    approver=st.sampled_from(["hana", "sam", "sue"]),
    entry_type=st.sampled_from([RedressEntryType.OFFER, RedressEntryType.PAYMENT]),
)
def test_the_approval_limit_blocks_a_single_approver(
    people, amount, recorder, approver, entry_type
):
    case = ComplaintFactory(handler=people["hana"])
    entry = record(case, people[recorder], amount, entry_type)

    # Within the recorder's own limit it is approved at once, with nobody else's name on it.
    if amount <= LIMITS[recorder]:
        assert entry.status == ApprovalStatus.APPROVED and entry.approved_by is None
        return
    assert entry.status == ApprovalStatus.AWAITING
    # Above it, only a different supervisor whose own limit covers it approves.
    may = approver != recorder and approver != "hana" and amount <= LIMITS[approver]
    if may:
        ledger.redress_approve(entry=entry, actor=Actor.staff(people[approver]))
    else:
        with pytest.raises(NotPermitted):
            ledger.redress_approve(entry=entry, actor=Actor.staff(people[approver]))
    entry.refresh_from_db()
    assert entry.status == (ApprovalStatus.APPROVED if may else ApprovalStatus.AWAITING)
    assert entry.approved_by_id != entry.recorded_by_id
    assert (entry.approved_by == people[approver]) is may


def test_the_recorder_never_approves_their_own_entry_whatever_their_limit(people):
    case = ComplaintFactory()
    entry = record(case, people["sam"], Decimal("600"))
    with pytest.raises(NotPermitted, match="You recorded this entry"):
        ledger.redress_approve(entry=entry, actor=Actor.staff(people["sam"]))
    with pytest.raises(NotPermitted):
        ledger.redress_reject(entry=entry, actor=Actor.staff(people["sam"]), reason="Mine.")


def test_a_currency_without_limits_needs_no_second_approver(people):
    entry = record(ComplaintFactory(), people["hana"], Decimal("5000"), currency="EUR")
    assert entry.status == ApprovalStatus.APPROVED


def test_a_response_above_the_limit_waits_and_goes_out_when_a_supervisor_approves(people):
    hana, sam = people["hana"], people["sam"]
    case = case_in(State.INVESTIGATING, handler=hana)

    with pytest.raises(ledger.ResponseHeld, match="above your approval limit"):
        respond(case, hana, Decimal("250.00"))
    case.refresh_from_db()
    offer = case.redress_entries.get()
    assert case.state == State.INVESTIGATING and case.redress_amount is None
    assert offer.is_awaiting and offer.held_response["findings"].startswith("We charged")
    assert not case.notifications.filter(kind=Notification.Kind.RESPONSE).exists()
    # A second response is not written over the one waiting.
    with pytest.raises(ComplaintError, match="already waits"):
        respond(case, hana, Decimal("90.00"))

    ledger.redress_approve(entry=offer, actor=Actor.staff(sam))
    case.refresh_from_db()
    offer.refresh_from_db()
    assert case.state == State.RESPONDED and case.redress_amount == Decimal("250.00")
    assert offer.approved_by == sam and offer.communicated_at is not None
    assert offer.held_response == {}
    response = case.notifications.get(kind=Notification.Kind.RESPONSE)
    assert response.recipient == "rosa@example.com"
    # The response is the handler's: hers on the timeline, after Sam's approval.
    actions = list(case.events.values_list("action", "actor__username"))
    assert actions[-3:] == [
        ("redress_recorded", "hana"),
        ("redress_approved", "sam"),
        ("respond", "hana"),
    ]

    # Accepting the response on the tracking page accepts the offer in it.
    services.complaint_resolve(complaint=case, actor=COMPLAINANT)
    acceptance = case.redress_entries.get(entry_type=RedressEntryType.ACCEPTANCE)
    assert (acceptance.offer, acceptance.amount, acceptance.currency) == (
        offer,
        Decimal("250.00"),
        "GBP",
    )
    assert acceptance.recorded_by is None and acceptance.status == ApprovalStatus.APPROVED


def test_a_rejected_offer_drops_its_response_and_the_handler_writes_again(people):
    hana, sam = people["hana"], people["sam"]
    case = case_in(State.INVESTIGATING, handler=hana)
    with pytest.raises(ledger.ResponseHeld):
        respond(case, hana, Decimal("250.00"))
    offer = case.redress_entries.get()
    ledger.redress_reject(entry=offer, actor=Actor.staff(sam), reason="Our tariff says 80.")
    offer.refresh_from_db()
    assert offer.status == ApprovalStatus.REJECTED and offer.held_response == {}
    assert case.events.filter(action="redress_rejected", note__contains="tariff").exists()

    case = respond(case, hana, Decimal("80.00"))
    assert case.state == State.RESPONDED
    sent = case.redress_entries.get(communicated_at__isnull=False)
    assert (sent.amount, sent.status) == (Decimal("80.00"), ApprovalStatus.APPROVED)


def test_a_response_within_the_limit_is_sent_at_once_with_its_offer_in_the_ledger(people):
    case = respond(case_in(State.INVESTIGATING, handler=people["hana"]), people["hana"], 40)
    offer = case.redress_entries.get()
    assert case.state == State.RESPONDED
    assert (offer.entry_type, offer.kind, offer.status) == (
        RedressEntryType.OFFER,
        RedressKind.REFUND,
        ApprovalStatus.APPROVED,
    )
    assert offer.communicated_at == case.responded_at


def test_an_escalation_decision_above_the_limit_waits_for_the_offer_to_be_approved(people):
    hana, sam, sue = people["hana"], people["sam"], people["sue"]
    case = respond(case_in(State.INVESTIGATING, handler=hana), hana, Decimal("20"))
    escalation = escalation_request(complaint=case, actor=COMPLAINANT, grounds="Not enough.")
    escalation = escalation_assign_reviewer(
        escalation=escalation, actor=Actor.staff(sam), reviewer=sam
    )
    decision = {
        "decision": "changed",
        "reasoning": "The fee should be covered too.",
        "final_response": "We add the bank's fee.",
        "revised_redress_amount": Decimal("700.00"),
    }
    with pytest.raises(ComplaintError, match="waits for a colleague"):
        escalation_decide(escalation=escalation, actor=Actor.staff(sam), **decision)
    case.refresh_from_db()
    assert case.state == State.ESCALATED and case.redress_amount == Decimal("20")
    offer = case.redress_entries.get(amount=Decimal("700.00"))
    assert offer.is_awaiting

    ledger.redress_approve(entry=offer, actor=Actor.staff(sue))
    escalation_decide(escalation=escalation, actor=Actor.staff(sam), **decision)
    case.refresh_from_db()
    offer.refresh_from_db()
    assert case.state == State.RESOLVED and case.redress_amount == Decimal("700.00")
    assert offer.communicated_at is not None
    assert case.redress_entries.filter(amount=Decimal("700.00")).count() == 1


def test_a_payment_counts_as_paid_only_once_approved(people):
    case = ComplaintFactory(received_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC))
    payment = record(case, people["hana"], Decimal("300.00"))
    february = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    now = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    assert dashboard_figures(period=february, category=None, now=now).redress == []
    ledger.redress_approve(entry=payment, actor=Actor.staff(people["sam"]))
    figures = dashboard_figures(period=february, category=None, now=now)
    assert figures.redress == [("GBP", Decimal("300.00"))]


ENTRIES = st.lists(
    st.tuples(
        st.sampled_from(list(RedressEntryType)),
        st.sampled_from(list(ApprovalStatus)),
        st.sampled_from(["GBP", "EUR"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2),
        st.dates(min_value=dt.date(2025, 11, 1), max_value=dt.date(2026, 8, 31)),
        st.sampled_from(["billing", "refunds", "none"]),
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=ENTRIES)
def test_the_returns_redress_paid_is_the_sum_of_the_approved_payments(policy, entries):
    RedressEntry.objects.all().delete()
    billing = CategoryFactory(name="Billing")
    categories = {
        "billing": billing,
        "refunds": CategoryFactory(name="Refunds", parent=billing),
        "none": None,
    }
    expected: dict[str, dict[str, Decimal]] = {}
    period = half_year("2026H1")
    for entry_type, status, currency, amount, on, where in entries:
        case = ComplaintFactory(category=categories[where])
        entry = paid(case, amount, on=on, currency=currency, status=status)
        RedressEntry.objects.filter(pk=entry.pk).update(entry_type=entry_type)
        counted = (
            entry_type == RedressEntryType.PAYMENT
            and status == ApprovalStatus.APPROVED
            and period.first <= on <= period.last
        )
        if counted:
            group = "Billing" if where != "none" else "No category"
            amounts = expected.setdefault(group, {})
            amounts[currency] = amounts.get(currency, Decimal(0)) + amount
            total = expected.setdefault("Total", {})
            total[currency] = total.get(currency, Decimal(0)) + amount

    rows = complaints_return(period)
    found = {row.category: row.redress_paid for row in rows if row.redress_paid}
    assert found == expected
