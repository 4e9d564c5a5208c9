"""Staff members' choices of how events reach them: each by email, in a daily digest, or not."""

from __future__ import annotations

from notifications.models import DIGESTABLE, StaffPreference

Delivery = StaffPreference.Delivery
# The kinds a staff member may choose for; the rest (deadline alerts) always go out by email.
CHOOSABLE = ("staff_activity", "staff_assigned", "staff_review_assigned")


def delivery_for(user, kind: str) -> str:
    """Return how `user` hears of `kind` (an email each time unless they chose otherwise)."""
    chosen = (
        StaffPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    if chosen == Delivery.DIGEST and kind not in DIGESTABLE:
        return Delivery.EMAIL
    return chosen or Delivery.EMAIL


def wants_email(user, kind: str) -> bool:
    """Return whether `user` hears of `kind` by an email of its own."""
    return delivery_for(user, kind) == Delivery.EMAIL
