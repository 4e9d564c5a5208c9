import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils.functional import Promise as LazyText
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from complaints import clock, references, rulepacks
from complaints.choices import (
    OPEN_STATES,
    ActorKind,
    ApprovalStatus,
    ArbitrationParticipation,
    CauseCode,
    Channel,
    DeadlineKind,
    Language,
    OmbudsmanConsent,
    Outcome,
    ProductGroup,
    PromiseKind,
    RedressEntryType,
    RedressKind,
    Remedy,
    RootCause,
    RulePackCode,
    State,
    TargetKind,
    VulnerabilityDriver,
)
from complaints.querysets import ComplaintQuerySet, ResponseTemplateQuerySet
from complaints.validators import validate_email_local_part

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


# The complainant's personal data on a case: retention blanks it, subject access exports it,
# the console shows it in these groups.
CONTACT_FIELDS = (
    "complainant_name",
    "complainant_email",
    "complainant_phone",
    "complainant_address",
    "account_identifier",
)
STATEMENT_FIELDS = ("description", "earlier_contact", "desired_outcome")
RESPONSE_TEXT_FIELDS = ("response_findings", "response_actions", "response_reasoning")


def translated(obj: models.Model, field: str, language: str | None = None) -> str:
    """Return `obj.<field>_<language>` where given, else `obj.<field>` (the English text)."""
    language = (language or get_language() or "en")[:2]
    if language != Language.ENGLISH:
        text = getattr(obj, f"{field}_{language}", "")
        if text:
            return text
    return getattr(obj, field)


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class ComplaintPolicy(models.Model):
    """The published promises of an organisation and the calendar they are kept by."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    is_default = models.BooleanField(
        _("default policy"), default=False, help_text=_("Used where a category names no policy.")
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO code for public holidays.")
    )
    subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    working_days = models.JSONField(
        _("working days"), default=default_working_days, help_text=_("0 is Monday, 6 is Sunday.")
    )
    closure_days = models.JSONField(
        _("extra closure days"), default=list, blank=True, help_text=_("ISO dates.")
    )
    close_of_business = models.TimeField(_("close of business"), default=dt.time(17, 0))
    warning_hours = models.PositiveIntegerField(
        _("warning window (hours)"),
        default=24,
        help_text=_("A deadline counts as due soon this long before it, or once its aim passed."),
    )
    auto_escalate_on_breach = models.BooleanField(
        _("escalate automatically when the full-response deadline is breached"), default=False
    )
    pause_while_awaiting_complainant = models.BooleanField(
        _("pause internal targets while we wait on the complainant"),
        default=False,
        help_text=_(
            "When a handler asks the complainant for information, the first response, full "
            "response and review targets stop until the complainant replies (or the handler "
            "resumes the clock), then move later by the business time they were paused. "
            "Progress updates and a regulator's deadline keep running."
        ),
    )
    external_routes = models.TextField(
        _("external routes"),
        blank=True,
        help_text=_("ADR body, ombudsman or consumer authority, named in the final response."),
    )
    external_route_time_limit = models.CharField(
        _("time limit for external routes"), max_length=120, blank=True
    )
    public_wording = models.TextField(_("published policy"), blank=True)
    # The public texts in German; where one is empty the English one shows.
    public_wording_de = models.TextField(_("published policy (German)"), blank=True)
    external_routes_de = models.TextField(_("external routes (German)"), blank=True)
    external_route_time_limit_de = models.CharField(
        _("time limit for external routes (German)"), max_length=120, blank=True
    )
    language = models.CharField(
        _("complainants' language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_(
            "We write to complainants in this language unless they chose another on the "
            "public site or wrote in another."
        ),
    )
    last_updated = models.DateField(_("last updated"), default=dt.date.today)
    # Regulators' rules the policy runs under (complaints.rulepacks): each adds its clock, its
    # required statements and its minimum record keeping to the policy's own promises.
    rule_packs = models.JSONField(
        _("rule packs"),
        default=list,
        blank=True,
        help_text=_("The regulators' complaint rules this policy keeps."),
    )
    ombudsman_consent = models.CharField(
        _("complaints referred to the ombudsman out of time"),
        max_length=20,
        choices=OmbudsmanConsent.choices,
        blank=True,
        help_text=_("DISP: the final response says whether we consent; required under DISP."),
    )
    arbitration_participation = models.CharField(
        _("consumer arbitration"),
        max_length=12,
        choices=ArbitrationParticipation.choices,
        blank=True,
        help_text=_(
            "VSBG: whether we take part in proceedings before a consumer arbitration board."
        ),
    )
    arbitration_board = models.TextField(
        _("consumer arbitration board"),
        blank=True,
        help_text=_("VSBG: the board's name, address and website."),
    )
    # Set on the neutral policy a fresh install creates by itself; cleared when a person saves
    # the policy in the admin (complaints.checks warns until then).
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Created by Redress with neutral promises; nobody has reviewed it yet."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical complaint policy"))

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_policy"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str | LazyText] = {}
        countries = clock.supported_countries()
        if self.country and self.country not in countries:
            errors["country"] = _("“%(code)s” is not a country the holiday calendar knows.") % {
                "code": self.country
            }
        elif self.subdivision and self.subdivision not in countries.get(self.country, []):
            errors["subdivision"] = _("“%(code)s” is not a subdivision of %(country)s.") % {
                "code": self.subdivision,
                "country": self.country or _("no country"),
            }
        if not clock.is_known_time_zone(self.time_zone):
            errors["time_zone"] = _("“%(name)s” is not a known time zone.") % {
                "name": self.time_zone
            }
        if (
            not isinstance(self.working_days, list)
            or not self.working_days
            or any(day not in range(7) for day in self.working_days)
        ):
            errors["working_days"] = _("Give at least one working day, each from 0 to 6.")
        try:
            [dt.date.fromisoformat(day) for day in self.closure_days]
        except (TypeError, ValueError):
            errors["closure_days"] = _("Give closure days as a list of dates like 2026-12-24.")
        unknown = (
            set(self.rule_packs) - set(RulePackCode.values)
            if isinstance(self.rule_packs, list)
            else {self.rule_packs}
        )
        if unknown:
            errors["rule_packs"] = _("Unknown rule packs: %(codes)s") % {
                "codes": ", ".join(sorted(map(str, unknown)))
            }
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("admin:complaints_complaintpolicy_change", args=[self.pk])

    def has_rule_pack(self, code: str) -> bool:
        return code in (self.rule_packs or [])

    def public_text(self, field: str, language: str | None = None) -> str:
        """Return a public text (`public_wording`, `external_routes`, ...) in `language`.

        The active language by default; the English text where no German one is given.
        """
        return translated(self, field, language)

    def calendar(self) -> clock.BusinessCalendar:
        # Built once per loaded policy: the holiday tables are the expensive part.
        if getattr(self, "_calendar", None) is None:
            self._calendar = clock.BusinessCalendar.for_policy(self)
        return self._calendar

    def target(self, kind: str) -> clock.Target | None:
        """Return the promise of `kind`, or None if this policy makes none."""
        if getattr(self, "_targets", None) is None:
            self._targets = {row.kind: row.as_target() for row in self.targets.all()}
        return self._targets.get(kind)

    def refresh_from_db(self, *args, **kwargs) -> None:
        # Built again from the fresh row on their next use.
        self.__dict__.pop("_calendar", None)
        self.__dict__.pop("_targets", None)
        super().refresh_from_db(*args, **kwargs)


class PolicyTarget(models.Model):
    """One promise of a policy: a limit with an optional earlier aim, in one unit."""

    policy = models.ForeignKey(ComplaintPolicy, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("promise"), max_length=32, choices=TargetKind.choices)
    aim = models.PositiveIntegerField(_("aim"), null=True, blank=True)
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=16, choices=clock.Unit.choices)

    history = HistoricalRecords(verbose_name=_("historical policy target"))

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="one_target_per_kind"),
            models.CheckConstraint(
                condition=Q(aim__isnull=True) | Q(aim__lte=models.F("amount")),
                name="aim_not_after_limit",
            ),
        ]

    def __str__(self) -> str:
        unit = self.get_unit_display()
        if self.aim is not None:
            return f"{self.get_kind_display()}: {self.aim}–{self.amount} {unit}"
        return f"{self.get_kind_display()}: {self.amount} {unit}"

    def clean(self) -> None:
        if self.aim is not None and self.amount is not None and self.aim > self.amount:
            raise ValidationError({"aim": _("The aim cannot come after the limit.")})
        policy = getattr(self, "policy", None)
        minimum = rulepacks.min_retention_days(policy) if policy is not None else None
        if (
            self.kind == TargetKind.RETENTION
            and minimum
            and self.amount is not None
            and self.unit
            and rulepacks.days_at_least(self.amount, self.unit) < minimum
        ):
            # DISP 1.9.1R: complaint records are kept at least three years.
            raise ValidationError(
                {
                    "amount": _(
                        "The policy keeps a regulator's rules that require records for at least "
                        "%(days)d days (DISP: three years): give at least that."
                    )
                    % {"days": minimum}
                }
            )

    def as_target(self) -> clock.Target:
        return clock.Target(amount=self.amount, unit=self.unit, aim=self.aim)


@dataclass(frozen=True)
class FcaClassification:
    product_group: str
    cause_code: str
    is_payment_service: bool


class Category(models.Model):
    """What a complaint is about; a category may have sub-types and its own policy."""

    name = models.CharField(_("name"), max_length=120)
    name_de = models.CharField(
        _("name (German)"), max_length=120, blank=True, help_text=_("Leave empty to use the name.")
    )
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    policy = models.ForeignKey(
        ComplaintPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
        help_text=_("Leave empty to use the parent's policy, or the default policy."),
    )
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="complaint_categories",
        verbose_name=_("handling team"),
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # The FCA complaints return groups by these (optional; a sub-type without them takes its
    # group's); payment services and e-money run on the 15-business-day clock under DISP.
    product_group = models.CharField(
        _("FCA product group"), max_length=16, choices=ProductGroup.choices, blank=True
    )
    cause_code = models.CharField(
        _("FCA cause"), max_length=12, choices=CauseCode.choices, blank=True
    )
    is_payment_service = models.BooleanField(
        _("payment services or e-money"),
        default=False,
        help_text=_("Under DISP, answered in 15 business days (35 with a holding reply)."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        # As a tree: each group (by position, then name), followed by its sub-types.
        ordering = [
            Coalesce("parent__position", "position"),
            Coalesce("parent__name", "name"),
            F("parent").asc(nulls_first=True),
            "position",
            "name",
        ]

    def __str__(self) -> str:
        # In the active language: the staff member's in the console, the complainant's in what
        # is written to them (emails and exports activate it).
        parent = self.parent
        return self.label(self.display_name, parent.display_name if parent is not None else None)

    @staticmethod
    def label(name: str, parent_name: str | None) -> str:
        """Return the name lists show for a category: its group's first, if it has one."""
        return f"{parent_name} › {name}" if parent_name is not None else name

    @staticmethod
    def label_in(
        language: str | None,
        names: tuple[str, str],
        parent_names: tuple[str | None, str | None],
    ) -> str:
        """Return label() in `language`, from the English and German names of the category
        and of its group (the lists that read them as values rather than as categories)."""
        if (language or "en")[:2] == Language.GERMAN:
            return Category.label(names[1] or names[0], parent_names[1] or parent_names[0])
        return Category.label(names[0], parent_names[0])

    @property
    def display_name(self) -> str:
        """Return the name in the active language."""
        return translated(self, "name")

    def fca_classification(self) -> "FcaClassification":
        """Return the product group, cause and payment-services flag the return counts it by.

        The one place that resolves them: a sub-type without its own takes its group's.
        """
        parent = self.parent
        return FcaClassification(
            product_group=self.product_group or (parent.product_group if parent else ""),
            cause_code=self.cause_code or (parent.cause_code if parent else ""),
            is_payment_service=self.is_payment_service
            or bool(parent and parent.is_payment_service),
        )

    def effective_policy(self) -> ComplaintPolicy | None:
        category: Category | None = self
        while category is not None:
            if category.policy_id:
                return category.policy
            category = category.parent
        return None


class Complaint(ConcurrentTransitionMixin, models.Model):
    """A complaint and its lifecycle; transitions only check and change fields (see services)."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    tracking_token = models.CharField(max_length=64, unique=True, editable=False)
    policy = models.ForeignKey(ComplaintPolicy, on_delete=models.PROTECT, related_name="complaints")
    state = FSMField(
        _("state"), default=State.RECEIVED, choices=State.choices, protected=True, max_length=16
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    complainant_name = models.CharField(_("name"), max_length=200)
    complainant_email = models.EmailField(
        _("email"), blank=True, validators=[validate_email_local_part]
    )
    complainant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    complainant_address = models.TextField(_("postal address"), blank=True)
    account_identifier = models.CharField(
        _("account identifier"),
        max_length=120,
        blank=True,
        help_text=_("Username, customer ID or order number."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    product_or_service = models.CharField(_("product or service"), max_length=200, blank=True)
    incident_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    description = models.TextField(_("description"))
    earlier_contact = models.TextField(_("earlier contact"), blank=True)
    desired_outcome = models.TextField(_("desired outcome"), blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_complaints",
        verbose_name=_("handler"),
    )
    is_complex = models.BooleanField(_("complex"), default=False)
    awaiting_information = models.BooleanField(_("awaiting information"), default=False)

    # Deadlines are stored when the complaint is received; a later policy change moves none.
    received_at = models.DateTimeField(_("received"))
    acknowledge_aim = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledge_by = models.DateTimeField(
        _("acknowledge by"), null=True, blank=True, editable=False
    )
    respond_aim = models.DateTimeField(null=True, blank=True, editable=False)
    respond_by = models.DateTimeField(_("first response by"), null=True, blank=True, editable=False)
    resolve_aim = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_by = models.DateTimeField(_("full response by"), null=True, blank=True, editable=False)
    next_update_due = models.DateTimeField(null=True, blank=True, editable=False)
    escalate_until = models.DateTimeField(null=True, blank=True, editable=False)
    auto_resolve_at = models.DateTimeField(null=True, blank=True, editable=False)
    reopen_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The earliest deadline still to meet, kept by the services so the queue can sort and filter
    # on it with an index rather than work it out per row.
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True, editable=False)
    next_deadline_kind = models.CharField(
        max_length=16, choices=DeadlineKind.choices, blank=True, editable=False
    )
    due_soon_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The regulator's clock beside it: the earliest open regulatory promise (a rule pack's final
    # response or holding reply), kept by promise_records the same way.
    regulatory_deadline = models.DateTimeField(
        _("regulatory deadline"), null=True, blank=True, editable=False
    )
    regulatory_due_soon_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set while the internal targets are paused (complaints.pauses), and while a regulator's
    # suspension holds the regulatory deadline (complaints.suspensions).
    clock_paused_at = models.DateTimeField(
        _("internal clock paused since"), null=True, blank=True, editable=False
    )
    regulatory_suspended_until = models.DateTimeField(
        _("regulatory deadline suspended until"), null=True, blank=True, editable=False
    )

    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    investigation_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    information_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_contact_at = models.DateTimeField(
        _("last message to the complainant"), null=True, blank=True, editable=False
    )
    # Set when the complainant acts (replies, adds a file, accepts, asks for a review,
    # withdraws); cleared when a staff member opens the case. The queue's "new activity" marker.
    activity_at = models.DateTimeField(_("new activity"), null=True, blank=True, editable=False)

    response_findings = models.TextField(_("findings"), blank=True)
    response_actions = models.TextField(_("actions taken"), blank=True)
    remedies = models.JSONField(_("remedies"), default=list, blank=True)
    redress_amount = models.DecimalField(
        _("redress amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    redress_currency = models.CharField(_("currency"), max_length=3, blank=True)
    response_reasoning = models.TextField(_("reasoning"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    root_cause = models.CharField(
        _("root cause"), max_length=32, choices=RootCause.choices, blank=True
    )

    satisfaction_rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reports: business days from the day of receipt, stored when the step happens so that the
    # dashboard and the data return take medians and time bands in the database (issue 8).
    business_days_to_acknowledge = models.PositiveSmallIntegerField(
        _("business days to acknowledge"), null=True, blank=True, editable=False
    )
    business_days_to_close = models.PositiveSmallIntegerField(
        _("business days to close"), null=True, blank=True, editable=False
    )

    # A duplicate merged into its original (complaints.related): closed as withdrawn with this
    # marker rather than in a state of its own, so the lifecycle, the queue and every report
    # treat it as a closed case; the reports count the pair once, as the original.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    # Set by complaints.casework.run_transition: the timeline entry of the transition just run,
    # which names the messages it causes (complaints.outbox.for_event).
    transition_event: "ComplaintEvent"
    # The deadline columns are a cache of the case's open Promise rows (complaints.promise_records
    # keeps them), there for the queue's index; the promises themselves are the record, so the
    # cache stays out of the history.
    history = HistoricalRecords(
        verbose_name=_("historical complaint"),
        excluded_fields=[
            "tracking_token",
            "activity_at",
            "next_deadline",
            "next_deadline_kind",
            "due_soon_at",
            "next_update_due",
            "regulatory_deadline",
            "regulatory_due_soon_at",
            # The ClockPause and RegulatorySuspension rows are the record of these two.
            "clock_paused_at",
            "regulatory_suspended_until",
        ],
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["next_deadline", "received_at"]
        indexes = [
            # The queue and the deadline sweeps: open cases by their next deadline.
            models.Index(
                fields=["next_deadline"],
                condition=Q(state__in=OPEN_STATES),
                name="complaint_open_deadline",
            ),
            models.Index(
                fields=["due_soon_at"],
                condition=Q(state__in=OPEN_STATES),
                name="complaint_open_due_soon",
            ),
            # The progress-update sweep: open cases whose next update is due.
            models.Index(
                fields=["next_update_due"],
                condition=Q(state__in=OPEN_STATES),
                name="complaint_update_due",
            ),
            # notifications: the auto-resolve sweep, responded cases whose window lapsed.
            models.Index(
                fields=["auto_resolve_at"],
                condition=Q(state=State.RESPONDED),
                name="complaint_auto_resolve_due",
            ),
            models.Index(fields=["handler", "state"], name="complaint_handler_state"),
            # The queue in its order, unfiltered and filtered by handler or state (bench/run.py).
            models.Index(fields=["next_deadline", "received_at"], name="complaint_queue"),
            models.Index(
                fields=["handler", "next_deadline", "received_at"], name="complaint_handler_queue"
            ),
            models.Index(
                fields=["state", "next_deadline", "received_at"], name="complaint_state_queue"
            ),
            models.Index(fields=["state", "received_at"], name="complaint_state_received"),
            # The queue's "regulatory deadline" filter (overdue, due soon) over open cases.
            models.Index(
                fields=["regulatory_deadline"],
                include=["regulatory_due_soon_at"],
                condition=Q(state__in=OPEN_STATES, regulatory_deadline__isnull=False),
                name="complaint_open_regulatory",
            ),
            models.Index(fields=["complainant_email"], name="complaint_email"),
            # The queue's "Needs a reply": cases with activity nobody on the staff has seen.
            models.Index(
                fields=["activity_at"],
                condition=Q(activity_at__isnull=False),
                name="complaint_new_activity",
            ),
            # api: the organisation's app lists one customer's complaints by account identifier.
            models.Index(
                fields=["account_identifier"],
                condition=~Q(account_identifier=""),
                name="complaint_account",
            ),
            # Reports: the dashboard and the data return select by receipt and by closure; the
            # included columns let PostgreSQL answer them from the index alone (bench/dashboard.py).
            models.Index(
                fields=["received_at"],
                include=[
                    "channel",
                    "category",
                    "state",
                    "acknowledged_at",
                    "acknowledge_by",
                    "first_responded_at",
                    "respond_by",
                    "responded_at",
                    "resolve_by",
                    "escalated_at",
                    "business_days_to_acknowledge",
                    "merged_into",
                ],
                name="complaint_received",
            ),
            models.Index(
                fields=["closed_at"],
                include=[
                    "channel",
                    "category",
                    "state",
                    "outcome",
                    "root_cause",
                    "redress_currency",
                    "redress_amount",
                    "satisfaction_rating",
                    "business_days_to_close",
                    "merged_into",
                ],
                condition=Q(closed_at__isnull=False),
                name="complaint_closed",
            ),
            # The dashboard's open cases by age and its clocks standing still now, for all
            # categories or one (reports.dashboard.open_counts): a small index of the open cases
            # only, holding every column the query reads, so the table is not read.
            models.Index(
                fields=["received_at"],
                include=[
                    "category",
                    "merged_into",
                    "clock_paused_at",
                    "regulatory_suspended_until",
                ],
                condition=Q(state__in=OPEN_STATES),
                name="complaint_open_received",
            ),
            # The retention sweep: closed cases not yet anonymised, oldest closure first.
            models.Index(
                fields=["closed_at"],
                condition=Q(closed_at__isnull=False, anonymised_at__isnull=True),
                name="complaint_retention_due",
            ),
        ]
        permissions = [
            ("view_all_complaints", _("Can see every complaint, not only assigned ones")),
            ("work_complaint", _("Can work a complaint through its lifecycle")),
        ]

    def __str__(self) -> str:
        return self.display_reference

    def get_absolute_url(self) -> str:
        # Staff only ever see what the complainant sees through this preview: the admin's "view on
        # site" follows get_absolute_url for anyone with is_staff, so it must never be the token.
        return reverse("staff-preview", args=[self.pk])

    @property
    def state_fields(self) -> list:
        """Return the state machine's fields (django-fsm's ConcurrentTransitionMixin).

        The mixin's own property searches all 70 fields of the model for them, for every case
        built: a tenth of the cost of loading a page of the queue's rows.
        """
        return [Complaint._meta.get_field("state")]

    def tracking_path(self) -> str:
        """Return the complainant's private page: only ever sent to the complainant."""
        return reverse("track-case", args=[self.tracking_token])

    @property
    def display_reference(self) -> str:
        return references.display(self.reference)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def business_days_since_receipt(self, at: dt.datetime) -> int:
        return self.policy.calendar().business_days_between(self.received_at, at)

    def can_be_reopened(self) -> bool:
        return self.reopen_until is not None and clock.now() <= self.reopen_until

    @transition(field=state, source=State.RECEIVED, target=State.ACKNOWLEDGED)
    def acknowledge(self, *, at: dt.datetime) -> None:
        self.acknowledged_at = at
        self.business_days_to_acknowledge = self.business_days_since_receipt(at)

    @transition(field=state, source=State.ACKNOWLEDGED, target=State.INVESTIGATING)
    def start_investigation(self, *, at: dt.datetime) -> None:
        self.investigation_started_at = at

    @transition(field=state, source=State.INVESTIGATING, target=State.INVESTIGATING)
    def request_information(self, *, at: dt.datetime) -> None:
        self.information_requested_at = at
        self.awaiting_information = True

    @transition(field=state, source=State.INVESTIGATING, target=State.INVESTIGATING)
    def record_customer_reply(self, *, at: dt.datetime) -> None:
        self.awaiting_information = False

    @transition(field=state, source=State.INVESTIGATING, target=State.RESPONDED)
    def respond(
        self,
        *,
        at: dt.datetime,
        findings: str,
        actions: str,
        remedies: list[str],
        redress_amount,
        redress_currency: str,
        reasoning: str,
        outcome: str,
    ) -> None:
        self.responded_at = at
        self.first_responded_at = self.first_responded_at or at
        self.awaiting_information = False
        self.response_findings = findings
        self.response_actions = actions
        self.remedies = list(remedies)
        self.redress_amount = redress_amount
        self.redress_currency = redress_currency if redress_amount is not None else ""
        self.response_reasoning = reasoning
        self.outcome = outcome

    @transition(field=state, source=State.RESPONDED, target=State.RESOLVED)
    def resolve(self, *, at: dt.datetime) -> None:
        self.resolved_at = self.closed_at = at
        self.business_days_to_close = self.business_days_since_receipt(at)

    @transition(
        field=state,
        source=[State.ACKNOWLEDGED, State.INVESTIGATING, State.RESPONDED],
        target=State.ESCALATED,
    )
    def escalate(self, *, at: dt.datetime) -> None:
        self.escalated_at = at
        self.awaiting_information = False

    @transition(field=state, source=State.ESCALATED, target=State.RESOLVED)
    def close_escalation(self, *, at: dt.datetime) -> None:
        self.resolved_at = self.closed_at = at
        self.business_days_to_close = self.business_days_since_receipt(at)

    @transition(field=state, source=list(OPEN_STATES), target=State.WITHDRAWN)
    def withdraw(self, *, at: dt.datetime) -> None:
        self.withdrawn_at = self.closed_at = at
        self.business_days_to_close = self.business_days_since_receipt(at)

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.INVESTIGATING,
        conditions=[can_be_reopened],  # type: ignore[list-item]  # django-fsm types a Model
    )
    def reopen(self, *, at: dt.datetime) -> None:
        self.resolved_at = self.closed_at = None
        self.business_days_to_close = None
        self.responded_at = None
        self.reopen_until = self.escalate_until = self.auto_resolve_at = None


class CaseLink(models.Model):
    """Two cases staff linked: related, or one a duplicate of the other (complaints.related).

    One link per pair of cases, whichever way round it was made; a "duplicate of" link reads
    from `complaint` (the duplicate) to `other` (the original).
    """

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        DUPLICATE = "duplicate", _("Duplicate of")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="links_from", verbose_name=_("complaint")
    )
    other = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="links_to", verbose_name=_("linked to")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RELATED)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("linked"))

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(complaint=F("other")), name="case_link_not_to_itself"
            ),
            # One link per pair, either way round: the reverse link would be the same link.
            models.UniqueConstraint(
                Least("complaint", "other"),
                Greatest("complaint", "other"),
                name="one_link_per_pair",
            ),
        ]
        indexes = [
            # The case page's related section reads the links from and to one case.
            models.Index(fields=["other"], name="case_link_other"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.other_id}"


class ReplacedTrackingLink(models.Model):
    """A tracking link that was replaced: its visitor is told so (410), not "not found".

    Only a digest of the old token is kept, and nothing that leads to the case.
    """

    digest = models.CharField(max_length=64, unique=True)
    replaced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.replaced_at:%Y-%m-%d})"


class Promise(models.Model):
    """One promise a case carries: what is owed, by when, and when and how it was kept.

    Computed when the step that creates it happens and stored, so a later policy change moves no
    open case. A promise is kept when the message that keeps it is sent (an email handed to the
    mail server, a letter marked posted) or the action that keeps it is done; a promise no longer
    owed (the case closed, a newer one replaced it) is released, never deleted.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="promises")
    kind = models.CharField(_("promise"), max_length=24, choices=PromiseKind.choices)
    # The how-many-th promise of its kind on the case: updates count up, and a reopened case owes
    # a second full response.
    occurrence = models.PositiveSmallIntegerField(default=1)
    aim = models.DateTimeField(_("aim"), null=True, blank=True)
    limit = models.DateTimeField(_("limit"))
    due_soon_at = models.DateTimeField(_("due soon from"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who owes it when it is not the case's handler (a reviewer)."),
    )
    kept_at = models.DateTimeField(_("kept"), null=True, blank=True)
    kept_by = models.CharField(_("kept by"), max_length=64, blank=True)
    released_at = models.DateTimeField(_("no longer owed"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the new date"), blank=True)
    # An internal target stopped while we wait on the complainant (complaints.pauses): it is
    # neither due soon nor overdue, and nobody is alerted, until it resumes with a later limit.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    due_soon_alerted_at = models.DateTimeField(null=True, blank=True)
    breach_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["limit", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind", "occurrence"], name="one_promise_per_occurrence"
            )
        ]
        indexes = [
            # The alert sweep: open promises whose due-soon moment came and went unalerted.
            models.Index(
                fields=["due_soon_at"],
                condition=Q(
                    kept_at__isnull=True, released_at__isnull=True, due_soon_alerted_at__isnull=True
                ),
                name="promise_due_soon_unalerted",
            ),
            # The alert sweep: open promises past their limit, unalerted.
            models.Index(
                fields=["limit"],
                condition=Q(
                    kept_at__isnull=True, released_at__isnull=True, breach_alerted_at__isnull=True
                ),
                name="promise_breach_unalerted",
            ),
            # The progress-update sweep: open updates by the moment they are written.
            models.Index(
                fields=["aim"],
                condition=Q(
                    kind=PromiseKind.PROGRESS_UPDATE, kept_at__isnull=True, released_at__isnull=True
                ),
                name="promise_update_due",
            ),
            # The holding-reply sweep (complaints.jobs.holding_replies_send): open holding
            # replies by the moment the sweep writes them.
            models.Index(
                fields=["aim"],
                condition=Q(
                    kind=PromiseKind.HOLDING_REPLY, kept_at__isnull=True, released_at__isnull=True
                ),
                name="promise_holding_reply_due",
            ),
            # The dashboard's promises kept: those whose limit fell in a period, read from the
            # index alone (reports.dashboard.promise_counts).
            models.Index(
                fields=["limit"],
                include=["kind", "kept_at", "released_at"],
                name="promise_due",
            ),
            # The dashboard's regulatory deadlines met (reports.dashboard.clock_figures): the
            # final responses whose limit fell in a period, without reading every other promise
            # of the period from the table.
            models.Index(
                fields=["limit"],
                include=["complaint", "kept_at", "released_at"],
                condition=Q(kind=PromiseKind.FINAL_RESPONSE),
                name="promise_final_response_due",
            ),
            # A case's open promises (cache refresh, the case page, the update's wording).
            models.Index(
                fields=["complaint", "limit"],
                condition=Q(kept_at__isnull=True, released_at__isnull=True),
                name="promise_open_by_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.occurrence} by {self.limit:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.kept_at is None and self.released_at is None

    def kept_in_time(self) -> bool:
        return self.kept_at is not None and self.kept_at <= self.limit


class Message(models.Model):
    """Correspondence on a case: to or from the complainant, or an internal note."""

    class Direction(models.TextChoices):
        TO_COMPLAINANT = "outbound", _("To the complainant")
        FROM_COMPLAINANT = "inbound", _("From the complainant")
        INTERNAL_NOTE = "note", _("Internal note")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    is_information_request = models.BooleanField(default=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords(verbose_name=_("historical message"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is ours, never the uploader's: no traversal, no clash, no guessing.
    return f"attachments/{instance.complaint_id}/{instance.stored_name}"


class Attachment(models.Model):
    """A file on a case, stored privately and served only through a checked view."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    stored_name = models.CharField(max_length=64, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.CharField(max_length=16, choices=ActorKind.choices)
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_internal = models.BooleanField(
        _("staff only"), default=False, help_text=_("Never shown to the complainant.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ComplaintEvent(models.Model):
    """A readable timeline entry: who did what to the case, from which state to which."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(
        default=True, help_text=_("Shown on the complainant's tracking page.")
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_state} → {self.to_state})"


class DeadlineExtension(models.Model):
    """A moved deadline and the reason the complainant was given for it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.CharField(max_length=16, choices=DeadlineKind.choices)
    previous = models.DateTimeField()
    new = models.DateTimeField()
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_deadline_display()}: {self.previous:%Y-%m-%d} → {self.new:%Y-%m-%d}"


class ResponseTemplate(models.Model):
    """Standard wording a handler may start a response from, for one category or for all."""

    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        help_text=_("Leave empty to offer it for every category; a parent covers its sub-types."),
    )
    findings = models.TextField(_("findings"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)
    remedies = models.JSONField(_("remedies"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    body = models.TextField(
        _("message"),
        blank=True,
        help_text=_(
            "Wording for a message or a question to the complainant. In every text, {name}, "
            "{reference}, {handler}, {received}, {respond_by}, {resolve_by} and {today} are "
            "filled in from the case."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ResponseTemplateQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical response template"))

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.remedies or []) - set(Remedy.values)
        if unknown:
            raise ValidationError({"remedies": _("Unknown remedies: %s") % ", ".join(unknown)})

    def as_response(self, complaint: "Complaint | None" = None) -> dict:
        """Return the template as initial data for the response form, filled in for the case."""
        fill = _merger(complaint)
        return {
            "findings": fill(self.findings),
            "actions": fill(self.actions),
            "reasoning": fill(self.reasoning),
            "remedies": list(self.remedies),
            "outcome": self.outcome,
        }

    def as_message(self, complaint: "Complaint | None" = None) -> dict:
        """Return the template as initial data for a message to the complainant."""
        return {"body": _merger(complaint)(self.body)}


MERGE_FIELD = re.compile(r"\{(\w+)\}")


def merge_fields(text: str, values: dict[str, str]) -> str:
    """Fill in {field} from `values`; an unknown field stays as written.

    A plain substitution, not str.format: a template is staff input, and format would let
    "{name.__class__}" reach into the objects behind the values.
    """
    return MERGE_FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _merger(complaint: "Complaint | None"):
    if complaint is None:
        return lambda text: text
    values = complaint_merge_values(complaint)
    return lambda text: merge_fields(text, values)


def complaint_merge_values(complaint: "Complaint") -> dict[str, str]:
    """Return the case's merge fields, dates in the complainant's language and the case's zone."""
    from django.utils import translation
    from django.utils.formats import date_format

    zone = complaint.policy.calendar().tz

    def day(moment) -> str:
        return date_format(moment.astimezone(zone), "DATE_FORMAT") if moment else ""

    with translation.override(complaint.language):
        handler = complaint.handler
        return {
            "name": complaint.complainant_name,
            "reference": complaint.display_reference,
            "handler": (handler.get_full_name() or handler.get_username()) if handler else "",
            "received": day(complaint.received_at),
            "respond_by": day(complaint.respond_by),
            "resolve_by": day(complaint.resolve_by),
            "today": day(clock.now()),
        }


class CaseAccess(models.Model):
    """One opening of a case, a file or an export by a member of staff: the access log.

    Written by complaints.services.case_access_record; read by supervisors per case and per
    person; kept as long as the case's personal data (retention removes both together).
    """

    class Kind(models.TextChoices):
        CASE = "case", _("Opened the case")
        PREVIEW = "preview", _("Opened the complainant's view")
        HISTORY = "history", _("Opened the field history")
        FILE = "file", _("Opened a file")
        EXPORT = "export", _("Exported")

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("complaint"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # Kept as it was when the row was written, should the account be renamed or removed.
    username = models.CharField(_("username"), max_length=150)
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            # The log of one case and of one person, newest first.
            models.Index(fields=["complaint", "-at"], name="caseaccess_complaint"),
            models.Index(fields=["user", "-at"], name="caseaccess_user"),
        ]

    def __str__(self) -> str:
        return f"{self.username}: {self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"


class Vulnerability(models.Model):
    """A complainant's vulnerability on one case: its drivers, handling notes and adjustments.

    Staff only: shown on the case page to staff who may see the case, never on the tracking
    page or through the API; the figures count flagged cases by driver, never more. The case is
    flagged while at least one driver (FCA FG21/1) is ticked; clearing them keeps the record
    and its history.
    """

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="vulnerability"
    )
    # One column per driver (complaints.choices.VulnerabilityDriver): the figures count each
    # with a plain aggregate.
    health = models.BooleanField(_("health"), default=False)
    life_event = models.BooleanField(_("life event"), default=False)
    resilience = models.BooleanField(_("resilience"), default=False)
    capability = models.BooleanField(_("capability"), default=False)
    notes = models.TextField(_("handling notes"), blank=True)
    by_post = models.BooleanField(
        _("write by post instead of email"),
        default=False,
        help_text=_("Every message to the complainant becomes a letter to post."),
    )
    large_print = models.BooleanField(_("large print"), default=False)
    call_before_writing = models.BooleanField(_("call before writing"), default=False)
    named_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named contact"),
        help_text=_("The case stays with this person: assigning it elsewhere warns."),
    )
    other_adjustments = models.TextField(_("other adjustments"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"))

    history = HistoricalRecords(verbose_name=_("historical vulnerability"))

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")

    def __str__(self) -> str:
        return ", ".join(str(label) for label in self.driver_labels()) or str(_("not flagged"))

    @property
    def is_flagged(self) -> bool:
        return any(getattr(self, driver) for driver in VulnerabilityDriver.values)

    def driver_labels(self) -> list:
        return [label for value, label in VulnerabilityDriver.choices if getattr(self, value)]

    def adjustment_labels(self) -> list:
        labels: list = [
            label
            for name, label in (
                ("by_post", _("write by post instead of email")),
                ("large_print", _("large print")),
                ("call_before_writing", _("call before writing")),
            )
            if getattr(self, name)
        ]
        if self.named_contact_id:
            labels.append(_("named contact"))
        return labels


class ApprovalLimit(models.Model):
    """The largest redress a member of a staff group records without a second approver.

    Per group and currency. Once a currency has any limit, staff whose groups set none for it
    have a limit of zero: every offer or payment they record waits for approval. A currency
    without any limit needs no second approver (a fresh install works as before).
    """

    group = models.ForeignKey(
        "auth.Group", on_delete=models.CASCADE, related_name="approval_limits"
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(
        _("limit"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords(verbose_name=_("historical approval limit"))

    class Meta:
        verbose_name = _("approval limit")
        verbose_name_plural = _("approval limits")
        ordering = ["currency", "group__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "currency"], name="one_limit_per_currency"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="approval_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.amount} {self.currency}"

    def clean(self) -> None:
        self.currency = (self.currency or "").upper()
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValidationError({"currency": _("Give a three-letter currency code.")})


class RedressEntry(models.Model):
    """One line of a case's redress ledger: an offer, its acceptance, or a payment.

    Offers and payments above their recorder's approval limit wait for a second member of staff
    whose limit covers them (complaints.ledger): until approved, an offer is not sent and a
    payment does not count as paid. The reports sum approved payments.
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="redress_entries"
    )
    entry_type = models.CharField(_("entry"), max_length=12, choices=RedressEntryType.choices)
    kind = models.CharField(_("kind of redress"), max_length=16, choices=RedressKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    # The offer an acceptance or a payment follows, where there is one.
    offer = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("offer"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ApprovalStatus.choices)
    # Empty on an entry within its recorder's own limit: nobody else needed to approve it.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    # An offer is told to the complainant in a response (or a final response), once.
    communicated_at = models.DateTimeField(_("sent to the complainant"), null=True, blank=True)
    # The written response that waits for this offer's approval: sent when it is approved.
    held_response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded"))

    history = HistoricalRecords(
        verbose_name=_("historical redress entry"), excluded_fields=["held_response"]
    )

    class Meta:
        verbose_name = _("redress entry")
        verbose_name_plural = _("redress ledger")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="redress_not_negative"),
        ]
        indexes = [
            # The dashboard and the data return: approved payments by their date, summed per
            # currency from the index alone (reports.ledger_figures).
            models.Index(
                fields=["on"],
                include=["currency", "amount", "complaint"],
                condition=Q(entry_type=RedressEntryType.PAYMENT, status=ApprovalStatus.APPROVED),
                name="redress_paid",
            ),
            # The supervisors' list and the queue's filter: entries awaiting a second approver.
            models.Index(
                fields=["complaint"],
                condition=Q(status=ApprovalStatus.AWAITING),
                name="redress_awaiting",
            ),
        ]
        permissions = [
            ("approve_redressentry", _("Can approve or reject a colleague's redress entry")),
        ]

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()}: {self.amount} {self.currency}"

    @property
    def is_awaiting(self) -> bool:
        return self.status == ApprovalStatus.AWAITING


class ClockPause(models.Model):
    """A stretch of time the case's internal targets stood still while we waited on the
    complainant (complaints.pauses); the regulator's deadline ran on."""

    class End(models.TextChoices):
        REPLY = "reply", _("The complainant replied")
        RESUMED = "resumed", _("Resumed by staff")
        CLOSED = "closed", _("The case moved on or closed")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=200)
    started_at = models.DateTimeField(_("paused"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    ended_how = models.CharField(
        _("resumed because"), max_length=12, choices=End.choices, blank=True
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(ended_at__isnull=True), name="one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.started_at:%Y-%m-%d %H:%M})"


class RegulatorySuspension(models.Model):
    """A regulator's suspension of its complaint deadline for a class of complaints.

    The FCA did this for UK motor-finance complaints (PS24/1 and its extensions): the 8-week
    clock stood still from a date until a date it named, and the rest ran after it. Recorded
    with the regulator's reference, and on the timeline of each case it covers.
    """

    reason = models.TextField(_("reason"))
    reference = models.CharField(
        _("regulator's reference"), max_length=120, help_text=_("For example FCA PS24/1.")
    )
    starts_on = models.DateField(_("suspended from"))
    until = models.DateField(
        _("suspended until"),
        help_text=_("The date the regulator named; the clock runs again after it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    complaints = models.ManyToManyField(
        Complaint,
        through="SuspendedComplaint",
        related_name="regulatory_suspensions",
        verbose_name=_("complaints"),
    )

    class Meta:
        verbose_name = _("regulatory suspension")
        verbose_name_plural = _("regulatory suspensions")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("suspend_regulatory_deadline", _("Can suspend and lift a regulator's deadline")),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.starts_on:%Y-%m-%d} – {self.until:%Y-%m-%d}"


class SuspendedComplaint(models.Model):
    """One case a suspension covers, and how far it moved the case's regulatory promises."""

    suspension = models.ForeignKey(
        RegulatorySuspension, on_delete=models.CASCADE, related_name="covered"
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="suspended_in")
    moved_by = models.DurationField(_("moved by"))
    # When the regulator's clock runs again for this case (the end of the suspension's last
    # day in the case's calendar, or the moment it was lifted).
    suspended_until = models.DateTimeField(_("suspended until"))

    class Meta:
        verbose_name = _("suspended complaint")
        verbose_name_plural = _("suspended complaints")
        constraints = [
            models.UniqueConstraint(
                fields=["suspension", "complaint"], name="one_suspension_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suspension} · {self.complaint}"
