from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from complaints.choices import ActorKind
from escalations import choices
from escalations.choices import OPEN_STATES
from escalations.querysets import EscalationQuerySet


class Escalation(ConcurrentTransitionMixin, models.Model):
    """A complainant's or staff member's request for an independent review of a case."""

    State = choices.State
    Decision = choices.Decision

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="escalations"
    )
    state = FSMField(
        _("state"), default=State.REQUESTED, choices=State.choices, protected=True, max_length=16
    )
    requested_by = models.CharField(_("requested by"), max_length=16, choices=ActorKind.choices)
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    grounds = models.TextField(_("grounds"))
    desired_outcome = models.TextField(_("desired outcome"), blank=True)
    review_aim = models.DateTimeField(null=True, blank=True, editable=False)
    review_by = models.DateTimeField(_("review by"), null=True, blank=True, editable=False)
    # From when the review counts as due soon: past its aim or within the policy's warning window.
    due_soon_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    review_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    revised_remedies = models.JSONField(_("revised remedies"), default=list, blank=True)
    revised_redress_amount = models.DecimalField(
        _("revised redress amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reasoning = models.TextField(_("reasoning"), blank=True)
    final_response = models.TextField(_("final response"), blank=True)
    # The policy's external routes as they stood when the decision was made: the final
    # response names these, whatever the policy says later.
    external_routes = models.TextField(_("external routes"), blank=True, editable=False)
    external_route_time_limit = models.CharField(
        _("time limit for external routes"), max_length=120, blank=True, editable=False
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EscalationQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical escalation"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["review_by", "requested_at"]
        indexes = [
            # The supervisors' queue: undecided escalations by their review deadline.
            models.Index(
                fields=["review_by"],
                condition=Q(state__in=OPEN_STATES),
                name="escalation_open_review",
            ),
            # The dashboard's escalation reviews: those requested in a period, read from the index
            # alone, so their cost follows the period and not every escalation ever made.
            models.Index(
                fields=["requested_at"],
                include=["review_by", "decided_at", "complaint"],
                name="escalation_requested",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_escalation_per_complaint",
            )
        ]
        permissions = [("decide_escalation", _("Can decide an escalation"))]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.get_state_display()}"

    @transition(
        field=state, source=[State.REQUESTED, State.UNDER_REVIEW], target=State.UNDER_REVIEW
    )
    def start_review(self, *, at, reviewer) -> None:
        """Give the review to `reviewer`; a review under way may be handed to another."""
        self.review_started_at = self.review_started_at or at
        self.reviewer = reviewer

    @transition(field=state, source=[State.REQUESTED, State.UNDER_REVIEW], target=State.DECIDED)
    def decide(
        self,
        *,
        at,
        by,
        decision,
        reasoning,
        final_response,
        revised_remedies=(),
        revised_redress_amount=None,
    ) -> None:
        self.decided_at = at
        self.decided_by = by
        self.reviewer = self.reviewer or by
        self.decision = decision
        self.reasoning = reasoning
        self.final_response = final_response
        self.revised_remedies = list(revised_remedies)
        self.revised_redress_amount = revised_redress_amount
        policy, language = self.complaint.policy, self.complaint.language
        self.external_routes = policy.public_text("external_routes", language)
        self.external_route_time_limit = policy.public_text("external_route_time_limit", language)

    @transition(field=state, source=[State.REQUESTED, State.UNDER_REVIEW], target=State.WITHDRAWN)
    def withdraw(self) -> None:
        """End the review undecided: the complainant withdrew the complaint."""

    @property
    def changes_response(self) -> bool:
        return self.decision in (self.Decision.CHANGED, self.Decision.PARTLY_CHANGED)
