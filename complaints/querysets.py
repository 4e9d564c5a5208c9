import datetime as dt
from typing import Self

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from complaints.choices import CLOSED_STATES, OPEN_STATES, VulnerabilityDriver


class DeadlineState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    NONE = "none", _("No deadline")
    # The two clocks' other states: an internal target stopped while we wait on the
    # complainant; a regulator's deadline held by the regulator's suspension.
    PAUSED = "paused", _("Paused")
    SUSPENDED = "suspended", _("Suspended")


class DeadlineStateQuerySet(models.QuerySet):
    """The deadline state of the rows of a queue: on track, due soon, overdue, or none.

    Shared by complaints and escalations. A row carries its next deadline (`DEADLINE`) and the
    moment it becomes due soon (`DUE_SOON`, stored by the clock when the deadline is set); a
    subclass names them and says which rows are still open (`open_q`).
    """

    DEADLINE = "next_deadline"
    DUE_SOON = "due_soon_at"

    def open_q(self) -> Q:
        raise NotImplementedError

    def open(self) -> Self:
        return self.filter(self.open_q())

    def overdue(self, now: dt.datetime) -> Self:
        return self.open().filter(**{f"{self.DEADLINE}__lt": now})

    def due_soon(self, now: dt.datetime) -> Self:
        return self.open().filter(**{f"{self.DUE_SOON}__lte": now, f"{self.DEADLINE}__gte": now})

    def on_track(self, now: dt.datetime) -> Self:
        return self.open().filter(
            Q(**{f"{self.DUE_SOON}__gt": now}) | Q(**{f"{self.DEADLINE}__isnull": True})
        )

    def with_deadline_state(self, now: dt.datetime) -> Self:
        """Annotate `deadline_state` (a DeadlineState value) as of `now`."""
        return self.annotate(
            deadline_state=Case(
                When(
                    ~self.open_q() | Q(**{f"{self.DEADLINE}__isnull": True}),
                    then=Value(DeadlineState.NONE.value),
                ),
                When(**{f"{self.DEADLINE}__lt": now}, then=Value(DeadlineState.OVERDUE.value)),
                When(**{f"{self.DUE_SOON}__lte": now}, then=Value(DeadlineState.DUE_SOON.value)),
                default=Value(DeadlineState.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )


class ComplaintQuerySet(DeadlineStateQuerySet):
    def open_q(self) -> Q:
        return Q(state__in=OPEN_STATES)

    def regulatory_overdue(self, now: dt.datetime) -> "ComplaintQuerySet":
        """Open cases past their regulatory deadline (index complaint_open_regulatory)."""
        return self.open().filter(regulatory_deadline__lt=now)

    def regulatory_due_soon(self, now: dt.datetime) -> "ComplaintQuerySet":
        return self.open().filter(regulatory_due_soon_at__lte=now, regulatory_deadline__gte=now)

    def closed(self) -> "ComplaintQuerySet":
        return self.filter(state__in=CLOSED_STATES)

    def vulnerable(self) -> "ComplaintQuerySet":
        """Return the cases flagged vulnerable: at least one driver ticked."""
        return self.filter(vulnerable_q())

    def counted(self) -> "ComplaintQuerySet":
        """Return the cases the figures count: a duplicate merged into its original counts as
        the original, once (complaints.related)."""
        return self.filter(merged_into__isnull=True)

    def visible_to(self, user) -> "ComplaintQuerySet":
        """Return the cases `user` may see: all for supervisors, else their own and unassigned."""
        if not user.is_active or not user.is_staff:
            return self.none()
        if sees_every_case(user):
            return self
        if user.has_perm("complaints.view_complaint"):
            return self.filter(Q(handler=user) | Q(handler__isnull=True))
        return self.none()


def vulnerable_q(prefix: str = "vulnerability__") -> Q:
    """Return the condition "flagged vulnerable" on the vulnerability behind `prefix`."""
    condition = Q()
    for driver in VulnerabilityDriver.values:
        condition |= Q(**{f"{prefix}{driver}": True})
    return condition


def sees_every_case(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("complaints.view_all_complaints"))
    )


def case_rows_visible_to(queryset: models.QuerySet, user, field: str = "complaint"):
    """Return the rows of `queryset` whose case (through `field`) `user` may see in the queue.

    Every staff page that lists rows about cases (notifications, inbound email, the access log)
    applies the queue's own rule through this; rows of no case are for those who see every case.
    """
    if sees_every_case(user):
        return queryset
    cases = queryset.model._meta.get_field(field).related_model.objects.visible_to(user)
    return queryset.filter(**{f"{field}__in": cases})


class ResponseTemplateQuerySet(models.QuerySet):
    def for_case(self, complaint) -> "ResponseTemplateQuerySet":
        """Return the active templates for the case's category, its parent's, and general ones."""
        categories = [complaint.category_id]
        if complaint.category_id and complaint.category.parent_id:
            categories.append(complaint.category.parent_id)
        return self.filter(is_active=True).filter(
            Q(category__isnull=True) | Q(category_id__in=[pk for pk in categories if pk])
        )
