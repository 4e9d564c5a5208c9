"""The staff's daily digest: the events each person chose to read once a day, in one email."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

# A module, not a name: the services import the tasks, which import this module.
from notifications import services
from notifications.models import Notification, StaffDigestItem

DIGEST_BATCH = 200


def staff_digests_send() -> int:
    """Write one digest email for each of a batch of people with events waiting; return how many.

    Each person's waiting items are claimed under a row lock (skipped when another worker holds
    them) and tied to the digest in the same transaction, so an item goes out once. The digest's
    dedupe key names the first and last item it covers: that one digest, sent once.
    """
    people = list(
        StaffDigestItem.objects.filter(notification__isnull=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:DIGEST_BATCH]
    )
    return sum(_send_one(user_id) for user_id in people)


def _send_one(user_id: int) -> bool:
    with transaction.atomic():
        items = list(
            StaffDigestItem.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, notification__isnull=True)
            .order_by("created_at", "pk")
        )
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if not items:
            return False
        if user is None or not user.email:
            StaffDigestItem.objects.filter(pk__in=[item.pk for item in items]).delete()
            return False
        key = f"{Notification.Kind.STAFF_DIGEST}:{user_id}:{items[0].pk}-{items[-1].pk}"
        written = services.notifications_enqueue(
            [
                Notification(
                    complaint_id=items[-1].complaint_id,
                    kind=Notification.Kind.STAFF_DIGEST,
                    recipient=user.email,
                    recipient_user=user,
                    language=settings.LANGUAGE_CODE,
                    dedupe_key=key,
                    context={"item_ids": [item.pk for item in items]},
                )
            ]
        )
        digest = written[0] if written else Notification.objects.get(dedupe_key=key)
        StaffDigestItem.objects.filter(pk__in=[item.pk for item in items]).update(
            notification=digest
        )
    return True
