"""Reads about escalations: who was involved in a case, who may review it, and by when."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintEvent, Message

# Timeline entries that are not casework: logging the complaint in, routing it, asking for the
# review itself, replacing a link. Every other entry by a staff member (acknowledging, starting
# the investigation, writing, responding, extending, resolving, reopening, and whatever later
# work adds) counts as handling the case, so a new kind of casework is never missed.
NOT_CASEWORK = frozenset(
    {
        "received",
        "assigned",
        "escalate",
        "escalation_reviewer_assigned",
        "tracking_link_replaced",
        # Four-eyes approval of redress is oversight, and redress recorded in a review is the
        # review's own (complaints.ledger).
        "redress_approved",
        "redress_rejected",
        "review_redress_recorded",
    }
)


def involvement(complaint: Complaint) -> dict[int, str]:
    """Return the ids of the staff who handled the case or wrote about it, each with how.

    Read from the case's history, not only its present: a handler reassigned away is still
    involved. Four small queries, run once per check, never per row of a list.
    """
    involved: dict[int, str] = {}

    def add(user_ids, reason: str) -> None:
        for user_id in user_ids:
            if user_id is not None:
                involved.setdefault(user_id, reason)

    add([complaint.handler_id], _("are its handler"))
    add(
        complaint.history.exclude(handler_id=None)
        .order_by()
        .values_list("handler_id", flat=True)
        .distinct(),
        _("handled it before"),
    )
    add(
        Message.objects.filter(
            complaint=complaint, direction=Message.Direction.TO_COMPLAINANT, author__isnull=False
        ).values_list("author_id", flat=True),
        _("wrote to the complainant about it"),
    )
    add(
        Message.objects.filter(
            complaint=complaint, direction=Message.Direction.INTERNAL_NOTE, author__isnull=False
        ).values_list("author_id", flat=True),
        _("wrote an internal note on it"),
    )
    add(
        ComplaintEvent.objects.filter(complaint=complaint, actor__isnull=False)
        .exclude(action__in=NOT_CASEWORK)
        .values_list("actor_id", flat=True),
        _("worked on it"),
    )
    return involved


def deciders() -> QuerySet:
    """Return the active staff who hold the permission to decide escalations."""
    permission = Permission.objects.filter(
        content_type__app_label="escalations", codename="decide_escalation"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
    )


def eligible_reviewers(complaint: Complaint) -> QuerySet:
    """Return the supervisors who may review the case: deciders not involved in it."""
    return deciders().exclude(pk__in=involvement(complaint)).order_by("last_name", "username")
