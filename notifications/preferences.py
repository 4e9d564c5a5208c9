"""Staff members' choices of which events reach them by email."""

from __future__ import annotations

from notifications.models import StaffPreference

# The kinds a staff member may turn off; the rest (deadline alerts) always go out.
CHOOSABLE = ("staff_activity", "staff_assigned", "staff_review_assigned")


def wants_email(user, kind: str) -> bool:
    """Return whether `user` hears of `kind` by email (yes unless they turned it off)."""
    return not StaffPreference.objects.filter(
        user=user, kind=kind, delivery=StaffPreference.Delivery.NONE
    ).exists()
