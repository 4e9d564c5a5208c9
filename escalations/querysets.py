import datetime as dt

from django.db import models
from django.db.models import Case, Q, Value, When

from complaints.choices import State as ComplaintState
from complaints.querysets import DeadlineState
from escalations.choices import OPEN_STATES, State


class EscalationQuerySet(models.QuerySet):
    def open(self) -> "EscalationQuerySet":
        """Return the escalations still awaiting a decision on a case that is still escalated."""
        return self.filter(state__in=OPEN_STATES, complaint__state=ComplaintState.ESCALATED)

    def decided(self) -> "EscalationQuerySet":
        return self.filter(state=State.DECIDED)

    def unassigned(self) -> "EscalationQuerySet":
        return self.open().filter(reviewer__isnull=True)

    def reviewed_by(self, user) -> "EscalationQuerySet":
        return self.filter(reviewer=user)

    def overdue(self, now: dt.datetime) -> "EscalationQuerySet":
        return self.open().filter(review_by__lt=now)

    def due_soon(self, now: dt.datetime) -> "EscalationQuerySet":
        return self.open().filter(due_soon_at__lte=now, review_by__gte=now)

    def on_track(self, now: dt.datetime) -> "EscalationQuerySet":
        return self.open().filter(Q(due_soon_at__gt=now) | Q(review_by__isnull=True))

    def with_deadline_state(self, now: dt.datetime) -> "EscalationQuerySet":
        """Annotate `deadline_state` (a DeadlineState value) of the review as of `now`."""
        return self.annotate(
            deadline_state=Case(
                When(
                    ~Q(state__in=OPEN_STATES)
                    | ~Q(complaint__state=ComplaintState.ESCALATED)
                    | Q(review_by__isnull=True),
                    then=Value(DeadlineState.NONE.value),
                ),
                When(review_by__lt=now, then=Value(DeadlineState.OVERDUE.value)),
                When(due_soon_at__lte=now, then=Value(DeadlineState.DUE_SOON.value)),
                default=Value(DeadlineState.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )
