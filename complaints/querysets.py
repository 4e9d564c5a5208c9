import datetime as dt

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from complaints.choices import CLOSED_STATES, OPEN_STATES


class DeadlineState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    NONE = "none", _("No deadline")


class ComplaintQuerySet(models.QuerySet):
    def open(self) -> "ComplaintQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def closed(self) -> "ComplaintQuerySet":
        return self.filter(state__in=CLOSED_STATES)

    def overdue(self, now: dt.datetime) -> "ComplaintQuerySet":
        return self.open().filter(next_deadline__lt=now)

    def due_soon(self, now: dt.datetime) -> "ComplaintQuerySet":
        return self.open().filter(due_soon_at__lte=now, next_deadline__gte=now)

    def on_track(self, now: dt.datetime) -> "ComplaintQuerySet":
        return self.open().filter(Q(due_soon_at__gt=now) | Q(next_deadline__isnull=True))

    def with_deadline_state(self, now: dt.datetime) -> "ComplaintQuerySet":
        """Annotate `deadline_state` (a DeadlineState value) as of `now`."""
        return self.annotate(
            deadline_state=Case(
                When(
                    Q(state__in=CLOSED_STATES) | Q(next_deadline__isnull=True), then=Value("none")
                ),
                When(next_deadline__lt=now, then=Value(DeadlineState.OVERDUE.value)),
                When(due_soon_at__lte=now, then=Value(DeadlineState.DUE_SOON.value)),
                default=Value(DeadlineState.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )

    def visible_to(self, user) -> "ComplaintQuerySet":
        """Return the cases `user` may see: all for supervisors, else their own and unassigned."""
        if not user.is_active or not user.is_staff:
            return self.none()
        if sees_every_case(user):
            return self
        if user.has_perm("complaints.view_complaint"):
            return self.filter(Q(handler=user) | Q(handler__isnull=True))
        return self.none()


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
