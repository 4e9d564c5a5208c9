"""Demo data for `make run`: categories, the five presets, staff and a case in every state."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.text import slugify

from complaints import services
from complaints.actors import COMPLAINANT, Actor
from complaints.choices import CauseCode, Channel, Outcome, ProductGroup, Remedy, State
from complaints.models import ApprovalLimit, Category, Complaint, ComplaintPolicy
from complaints.presets import PRESETS, preset_load
from complaints.roles import HANDLERS, SUPERVISORS
from escalations.services import escalation_request

DEMO_PASSWORD = "redress-demo"
STAFF = [
    ("handler", "Hana", "Handler", HANDLERS),
    ("handler2", "Hugo", "Hartmann", HANDLERS),
    ("supervisor", "Sam", "Supervisor", SUPERVISORS),
]

# The union of the categories named in POLICIES.md (A and D), with sub-types.
CATEGORIES: dict[str, list[str]] = {
    "Service": ["Availability", "Quality"],
    "Billing": ["Incorrect charge", "Refund", "Subscription"],
    "Account": ["Access", "Data correction", "Closure"],
    "Support": ["Response time", "Staff conduct"],
    "Privacy & data": ["Access request", "Data breach", "Marketing consent"],
    "Digital downloads": [],
    "Physical products": ["Damaged", "Not delivered", "Wrong item"],
    "Website & accessibility": [],
    "Other": [],
}

# One demo case per lifecycle state: (state, complainant, language).
CASES = [
    ("received", "Rosa Received", "en"),
    ("acknowledged", "Anna Acknowledged", "de"),
    ("investigating", "Ivan Investigating", "en"),
    ("responded", "Ruth Responded", "en"),
    ("resolved", "Rui Resolved", "en"),
    ("escalated", "Emil Escalated", "de"),
    ("withdrawn", "Wanda Withdrawn", "en"),
]


def categories_load() -> int:
    created = 0
    for position, (name, children) in enumerate(CATEGORIES.items()):
        parent, made = Category.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "position": position}
        )
        created += made
        for child_position, child in enumerate(children):
            _child, made = Category.objects.get_or_create(
                slug=f"{slugify(name)}-{slugify(child)}",
                defaults={"name": child, "parent": parent, "position": child_position},
            )
            created += made
    return created


# Policy E keeps the FCA's DISP rules: its payment disputes are answered within 15 business days
# (DISP 1.6.2A), so the demo gives them a category of their own under policy E.
PAYMENTS_SLUG = "payments-e-money"


def payment_category_load() -> int:
    policy = ComplaintPolicy.objects.filter(slug="e-uk-platform").first()
    if policy is None:
        return 0
    _category, made = Category.objects.get_or_create(
        slug=PAYMENTS_SLUG,
        defaults={
            "name": "Payments & e-money",
            "name_de": "Zahlungen & E-Geld",
            "position": len(CATEGORIES),
            "policy": policy,
            "product_group": ProductGroup.BANKING,
            "cause_code": CauseCode.TERMS,
            "is_payment_service": True,
        },
    )
    return int(made)


def staff_load() -> dict[str, User]:
    users: dict[str, User] = {}
    for username, first, last, group in STAFF:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@redress.example",
                "is_staff": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def cases_load(users) -> int:
    category = Category.objects.get(slug="billing-incorrect-charge")
    created = 0
    for state, name, language in CASES:
        email = f"demo-{state}@example.com"
        if Complaint.objects.filter(complainant_email=email).exists():
            continue
        with transaction.atomic():
            case = services.complaint_submit(
                channel=Channel.WEB,
                complainant_name=name,
                complainant_email=email,
                language=language,
                category=category,
                account_identifier=f"CUST-{100 + created}",
                product_or_service="Premium subscription",
                description="I was charged twice for my subscription this month.",
                desired_outcome="A refund of the second charge.",
            )
            case_advance(case, state, handler=users["handler"])
        created += 1
    return created


# The services each lifecycle state is reached through, in order.
PATHS: dict[str, list[str]] = {
    State.RECEIVED: [],
    State.ACKNOWLEDGED: ["acknowledge"],
    State.INVESTIGATING: ["acknowledge", "investigate"],
    State.RESPONDED: ["acknowledge", "investigate", "respond"],
    State.RESOLVED: ["acknowledge", "investigate", "respond", "resolve"],
    State.ESCALATED: ["acknowledge", "investigate", "respond", "escalate"],
    State.WITHDRAWN: ["acknowledge", "withdraw"],
}


def case_advance(case: Complaint, state: str, *, handler) -> Complaint:
    """Bring a newly received case to `state` through the real services, worked by `handler`.

    The complainant accepts, escalates and withdraws; the handler does the casework.
    """
    actor = Actor.staff(handler)
    for step in PATHS[state]:
        if step == "acknowledge":
            case = services.complaint_acknowledge(complaint=case)
        elif step == "investigate":
            case = services.complaint_start_investigation(complaint=case, actor=actor)
        elif step == "respond":
            case = services.complaint_respond(
                complaint=case,
                actor=actor,
                findings="The payment provider retried a charge that had already succeeded.",
                actions="We refunded the duplicate charge and fixed the retry rule.",
                reasoning="You were charged twice for one period, which was our error.",
                outcome=Outcome.PARTLY_UPHELD,
                remedies=[Remedy.REFUND],
                redress_amount=Decimal("9.99"),
            )
        elif step == "resolve":
            case = services.complaint_resolve(complaint=case, actor=COMPLAINANT)
        elif step == "escalate":
            escalation_request(
                complaint=case,
                actor=COMPLAINANT,
                grounds="The refund does not cover the bank fee I paid.",
            )
            case.refresh_from_db()
        elif step == "withdraw":
            case = services.complaint_withdraw(
                complaint=case, actor=COMPLAINANT, reason="Sorted out with my bank."
            )
    return case


# Four eyes on redress (complaints.ledger): a handler records up to 250 without a second
# approver, a supervisor up to 2,000, in each currency the presets use.
APPROVAL_LIMITS = {HANDLERS: Decimal("250"), SUPERVISORS: Decimal("2000")}


def approval_limits_load() -> int:
    created = 0
    for name, amount in APPROVAL_LIMITS.items():
        group = Group.objects.get(name=name)
        for currency in ("EUR", "GBP"):
            created += ApprovalLimit.objects.get_or_create(
                group=group, currency=currency, defaults={"amount": amount}
            )[1]
    return created


def demo_load() -> dict[str, int]:
    policies = sum(preset_load(preset)[1] for preset in PRESETS)
    categories = categories_load() + payment_category_load()
    users = staff_load()
    approval_limits_load()
    cases = cases_load(users) + letter_case_load(users)
    return {"policies": policies, "categories": categories, "cases": cases}


def letter_case_load(users) -> int:
    """Add a complaint that came by post without an email address: its letters wait to be posted."""
    name = "Peter Post"
    if Complaint.objects.filter(complainant_name=name, channel=Channel.POST).exists():
        return 0
    with transaction.atomic():
        case = services.complaint_submit(
            channel=Channel.POST,
            complainant_name=name,
            complainant_address="14 Station Road\nLeeds\nLS1 4DY",
            category=Category.objects.get(slug="billing-incorrect-charge"),
            description="Your letter says I owe a late fee, but I paid on time.",
            desired_outcome="Cancel the late fee.",
            actor=Actor.staff(users["handler"]),
        )
        services.complaint_assign(
            complaint=case, actor=Actor.staff(users["handler"]), handler=users["handler"]
        )
        case_advance(case, State.INVESTIGATING, handler=users["handler"])
    return 1
