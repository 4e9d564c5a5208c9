from django.db.models import Q

from complaints.choices import State as ComplaintState
from complaints.querysets import DeadlineStateQuerySet
from escalations.choices import OPEN_STATES, State


class EscalationQuerySet(DeadlineStateQuerySet):
    DEADLINE = "review_by"

    def open_q(self) -> Q:
        """The escalations still awaiting a decision on a case that is still escalated."""
        return Q(state__in=OPEN_STATES, complaint__state=ComplaintState.ESCALATED)

    def decided(self) -> "EscalationQuerySet":
        return self.filter(state=State.DECIDED)

    def unassigned(self) -> "EscalationQuerySet":
        return self.open().filter(reviewer__isnull=True)

    def reviewed_by(self, user) -> "EscalationQuerySet":
        return self.filter(reviewer=user)
