"""The five published policies of POLICIES.md as loadable presets (A–E).

Where a policy is silent on a number the engine needs (an escalation window, say), the preset
picks a common one and says so in `notes`; the organisation edits it in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from complaints.choices import TargetKind as K
from complaints.clock import Unit
from complaints.models import ComplaintPolicy, PolicyTarget

H, CD, BD = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS


@dataclass(frozen=True)
class Preset:
    slug: str
    name: str
    country: str
    subdivision: str
    time_zone: str
    targets: dict[str, tuple[int | None, int, str]]
    external_routes: str
    external_route_time_limit: str = ""
    public_wording: str = ""
    auto_escalate_on_breach: bool = False
    notes: str = ""
    needs_review: bool = False
    # The complainants' language, and the public texts in German (English in the fields above).
    language: str = "en"
    public_wording_de: str = ""
    external_routes_de: str = ""
    external_route_time_limit_de: str = ""
    working_days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    # The regulators' rule packs the policy keeps (complaints.rulepacks) and their settings.
    rule_packs: list[str] = field(default_factory=list)
    ombudsman_consent: str = ""
    arbitration_participation: str = ""
    arbitration_board: str = ""


# Promises every preset shares unless it says otherwise: (aim, limit, unit).
COMMON: dict[str, tuple[int | None, int, str]] = {
    K.ESCALATION_WINDOW: (None, 30, CD),
    K.AUTO_CLOSE: (None, 14, CD),
    K.REOPEN_WINDOW: (None, 30, CD),
    K.RETENTION: (None, 1096, CD),
}

DEFAULT_SLUG = "a-subscription-app"

PRESETS: list[Preset] = [
    Preset(
        slug="a-subscription-app",
        name="A: subscription app",
        country="",
        subdivision="",
        time_zone="UTC",
        targets={
            K.ACKNOWLEDGE: (24, 48, H),
            K.FIRST_RESPONSE: (3, 5, BD),
            K.RESOLVE: (10, 15, BD),
            K.COMPLEX_RESOLVE: (None, 30, CD),
            K.ESCALATION_REVIEW: (5, 7, BD),
            K.UPDATE_INTERVAL: (None, 5, BD),
        },
        external_routes="If you are still not satisfied, you may refer your complaint to an "
        "external dispute resolution service.",
        # Free text around the promises only: the policy page states them from the numbers.
        public_wording="Tell us through the web form, by email or in the app. We keep you "
        "updated throughout. If you are not satisfied with our response, reply asking for an "
        "escalation: a senior manager who was not involved reviews it.",
        notes="The policy promises updates without an interval; the preset uses 5 business days.",
    ),
    Preset(
        slug="b-consumer-web-service-de",
        name="B: consumer web service (Germany)",
        country="DE",
        subdivision="BE",
        time_zone="Europe/Berlin",
        targets={
            K.ACKNOWLEDGE: (None, 24, H),
            K.RESOLVE: (None, 20, BD),
            K.ESCALATION_REVIEW: (None, 10, BD),
            K.UPDATE_INTERVAL: (None, 5, BD),
        },
        external_routes="",
        language="de",
        public_wording="We confirm every complaint by email with a reference number and a first "
        "timeline, keep you informed of its status and the expected date, and deal with it in a "
        "reasonable time.",
        public_wording_de="Wir bestätigen jede Beschwerde per E-Mail mit einer Referenznummer "
        "und einem ersten Zeitplan, halten Sie über den Stand und das voraussichtliche Datum "
        "auf dem Laufenden und bearbeiten sie in angemessener Zeit.",
        notes="“A reasonable time” is read as 20 business days, with an update every 5. "
        "VSBG pack: the preset says it is willing to take part before the general consumer "
        "arbitration board (the organisation confirms or changes this).",
        rule_packs=["vsbg"],
        arbitration_participation="willing",
        arbitration_board="Allgemeine Verbraucherschlichtungsstelle des Zentrums für Schlichtung "
        "e.V.\nStraßburger Straße 8, 77694 Kehl am Rhein\nwww.verbraucher-schlichter.de",
    ),
    Preset(
        slug="c-hosting-provider-vn",
        name="C: hosting provider (Vietnam)",
        country="VN",
        subdivision="",
        time_zone="Asia/Ho_Chi_Minh",
        targets={
            K.ACKNOWLEDGE: (None, 1, BD),
            K.RESOLVE: (None, 5, BD),
            K.COMPLEX_RESOLVE: (None, 15, BD),
            K.ESCALATION_REVIEW: (None, 5, BD),
            K.UPDATE_INTERVAL: (None, 2, BD),
        },
        external_routes="You may also contact the national consumer protection authority.",
        public_wording="Open a ticket, email us, call us or use the live chat. Complex cases "
        "take longer and we update you throughout. Ask for a supervisor or manager if you are "
        "not satisfied.",
        notes="“Complex longer” is read as 15 business days, “throughout” as every 2.",
    ),
    Preset(
        slug="d-web-shop-nl",
        name="D: web shop (Netherlands)",
        country="NL",
        subdivision="",
        time_zone="Europe/Amsterdam",
        targets={
            K.ACKNOWLEDGE: (None, 2, BD),
            K.RESOLVE: (None, 7, BD),
            K.ESCALATION_REVIEW: (None, 7, BD),
        },
        external_routes="If we cannot resolve your complaint together, you may turn to a "
        "mediator (the Geschillencommissie) or to the consumer authority (ACM ConsuWijzer).",
        public_wording="Email us with your order number. You may ask for a second review; its "
        "answer is our final response.",
    ),
    Preset(
        slug="e-uk-platform",
        name="E: UK platform",
        country="GB",
        subdivision="ENG",
        time_zone="Europe/London",
        targets={
            K.ACKNOWLEDGE: (None, 24, H),
            K.SUMMARY_RESOLUTION: (None, 3, BD),
            K.RESOLVE: (None, 15, BD),
            K.COMPLEX_RESOLVE: (None, 20, BD),
            K.ESCALATION_REVIEW: (None, 10, BD),
            K.UPDATE_INTERVAL: (None, 5, CD),
        },
        external_routes="Alternative Dispute Resolution provider; for payment disputes, the "
        "Financial Ombudsman Service (www.financial-ombudsman.org.uk).",
        external_route_time_limit="within six months of the date of our final response",
        public_wording="Our acknowledgement gives you a reference and the name of your "
        "dedicated case handler, and our updates give the reasons for any delay. After our "
        "internal escalation you may refer your complaint to an ADR provider.",
        notes="Full response in 15 business days (the FCA's limit for payment services); "
        "complex cases 20. DISP pack: the final response within eight weeks (payment "
        "services: 15 business days, 35 with a holding reply); the preset does not consent to "
        "late referrals to the ombudsman (the organisation chooses).",
        rule_packs=["disp"],
        ombudsman_consent="does_not_consent",
    ),
]


# The policy a fresh install starts with (migration 0009 writes the same): promises a published
# policy with no particular regulator would make, on a plain Monday-to-Friday UTC calendar. It is
# marked "needs review" until a person saves it in the admin; the presets replace it while it is.
NEUTRAL_SLUG = "standard"
NEUTRAL = Preset(
    slug=NEUTRAL_SLUG,
    name="Standard complaints policy",
    country="",
    subdivision="",
    time_zone="UTC",
    targets={
        K.ACKNOWLEDGE: (None, 2, BD),
        K.RESOLVE: (None, 15, BD),
        K.COMPLEX_RESOLVE: (None, 40, BD),
        K.UPDATE_INTERVAL: (None, 5, BD),
        K.ESCALATION_REVIEW: (None, 10, BD),
    },
    external_routes="",
    public_wording="We want to put things right when we get them wrong. Tell us what happened "
    "and what you would like us to do; we handle every complaint fairly and in confidence.",
    notes="Neutral promises for a fresh install: review them against your published policy.",
    needs_review=True,
)


def neutral_policy_ensure() -> ComplaintPolicy:
    """Return the default policy; with none, make the neutral one the default (creating it).

    A complaint is never refused for want of configuration: this runs wherever a default is
    needed and none exists (a fresh database, or the default deleted later).
    """
    policy = ComplaintPolicy.objects.filter(is_default=True).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            neutral, _written = preset_load(NEUTRAL)
            if not neutral.is_default:
                neutral.is_default = True
                neutral.save(update_fields=["is_default", "updated_at"])
    except IntegrityError:
        # A concurrent request made a default meanwhile: use that one.
        pass
    return ComplaintPolicy.objects.get(is_default=True)


def preset_load(preset: Preset, *, reset: bool = False) -> tuple[ComplaintPolicy, bool]:
    """Create the preset's policy if missing (or, with `reset`, restore its promises).

    Return the policy and whether it was written. Without `reset` an existing policy is left
    exactly as the organisation edited it.
    """
    existing = ComplaintPolicy.objects.filter(slug=preset.slug).first()
    if existing is not None and not reset:
        return existing, False
    with transaction.atomic():
        current = ComplaintPolicy.objects.filter(is_default=True).exclude(slug=preset.slug).first()
        # The neutral policy of a fresh install gives way while nobody has reviewed it.
        replaceable = current is None or (current.slug == NEUTRAL_SLUG and current.needs_review)
        make_default = replaceable and (
            existing is None or existing.is_default or preset.slug == DEFAULT_SLUG
        )
        if make_default:
            ComplaintPolicy.objects.filter(is_default=True).exclude(slug=preset.slug).update(
                is_default=False
            )
        policy, _created = ComplaintPolicy.objects.update_or_create(
            slug=preset.slug,
            defaults={
                "name": preset.name,
                "country": preset.country,
                "subdivision": preset.subdivision,
                "time_zone": preset.time_zone,
                "working_days": preset.working_days,
                "external_routes": preset.external_routes,
                "external_route_time_limit": preset.external_route_time_limit,
                "public_wording": preset.public_wording,
                "auto_escalate_on_breach": preset.auto_escalate_on_breach,
                "needs_review": preset.needs_review,
                "language": preset.language,
                "public_wording_de": preset.public_wording_de,
                "external_routes_de": preset.external_routes_de,
                "external_route_time_limit_de": preset.external_route_time_limit_de,
                "rule_packs": list(preset.rule_packs),
                "ombudsman_consent": preset.ombudsman_consent,
                "arbitration_participation": preset.arbitration_participation,
                "arbitration_board": preset.arbitration_board,
                **({"is_default": True} if make_default else {}),
            },
        )
        policy.full_clean()
        wanted = COMMON | preset.targets
        policy.targets.exclude(kind__in=wanted).delete()
        for kind, (aim, amount, unit) in wanted.items():
            PolicyTarget.objects.update_or_create(
                policy=policy, kind=kind, defaults={"aim": aim, "amount": amount, "unit": unit}
            )
    return policy, True


def preset_by_slug(slug: str) -> Preset:
    for preset in PRESETS:
        if preset.slug == slug or preset.slug[0] == slug.lower():
            return preset
    raise KeyError(slug)
