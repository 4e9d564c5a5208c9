from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One promised message, written in the transaction that caused it (the outbox)."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        TRACKING_LINK = "tracking_link", _("Tracking link")
        MESSAGE = "message", _("Message from the handler")
        INFORMATION_REQUEST = "information_request", _("Information request")
        PROGRESS_UPDATE = "progress_update", _("Progress update")
        DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
        RESPONSE = "response", _("Response")
        ESCALATION_RECEIVED = "escalation_received", _("Escalation received")
        FINAL_RESPONSE = "final_response", _("Final response")
        # Rule packs (complaints.rulepacks): DISP 1.6.2R(2) and DISP 1.5.4R.
        HOLDING_REPLY = "holding_reply", _("Holding reply")
        SUMMARY_RESOLUTION = "summary_resolution", _("Summary resolution communication")
        RESOLVED = "resolved", _("Resolved")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Handled under another complaint")
        SURVEY = "survey", _("Satisfaction survey")
        STAFF_ASSIGNED = "staff_assigned", _("Case assigned (staff)")
        STAFF_DUE_SOON = "staff_due_soon", _("Deadline due soon (staff)")
        STAFF_BREACHED = "staff_breached", _("Deadline breached (staff)")
        STAFF_DELIVERY_DELAYED = "staff_delivery_delayed", _("Email not getting out (staff)")
        STAFF_ACTIVITY = "staff_activity", _("The complainant acted (staff)")
        STAFF_REVIEW_ASSIGNED = "staff_review_assigned", _("Review assigned (staff)")
        STAFF_DIGEST = "staff_digest", _("Daily digest (staff)")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        # A PDF for staff to print and post; never sent by the dispatch sweep. It is sent when
        # staff mark it posted (services.notification_mark_posted).
        LETTER = "letter", _("Letter")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Delivery failed")

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    # Empty for a letter: it goes to the complaint's postal address as it is when printed.
    recipient = models.EmailField(_("recipient"), blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    # complaint:kind:window; unique, so a retried or doubled job writes and sends one message.
    dedupe_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When staff were told that this message keeps failing (once, however long it retries).
    alerted_at = models.DateTimeField(_("staff alerted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            # The dispatch sweep: pending emails whose next attempt is due (letters wait for
            # staff, not for the sweep).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending", channel="email"),
                name="notification_pending",
            ),
            # The queue's "letters to post" filter and the case page's letters.
            models.Index(
                fields=["complaint"],
                condition=Q(status="pending", channel="letter"),
                name="notification_letter_to_post",
            ),
            # The dispatch sweep again: rows a worker claimed and never finished (it died).
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="notification_sending",
            ),
            models.Index(fields=["complaint", "kind"], name="notification_complaint_kind"),
        ]

    def __str__(self) -> str:
        if self.channel == self.Channel.LETTER:
            return f"{self.get_kind_display()} → {_('letter')}"
        return f"{self.get_kind_display()} → {self.recipient}"


# Only the complainant's activity may wait for the digest; an assignment is news at once.
DIGESTABLE = ("staff_activity",)


class StaffPreference(models.Model):
    """How one staff member hears of one kind of event: an email each time, a daily digest (for
    the complainant's activity), or not at all."""

    class Delivery(models.TextChoices):
        EMAIL = "email", _("An email each time")
        DIGEST = "digest", _("A daily digest")
        NONE = "none", _("No email")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("event"), max_length=32, choices=Notification.Kind.choices)
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.EMAIL
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="staff_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}: {self.get_delivery_display()}"

    def clean(self) -> None:
        if self.delivery == self.Delivery.DIGEST and self.kind not in DIGESTABLE:
            raise ValidationError(
                {"delivery": _("Only the complainants' activity can wait for the daily digest.")}
            )


class StaffDigestItem(models.Model):
    """One event waiting for a staff member's daily digest; `notification` is the digest it went
    out in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            # The digest sweep: items not yet sent, per person.
            models.Index(
                fields=["user", "created_at"],
                condition=Q(notification__isnull=True),
                name="staff_digest_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.action} · {self.created_at:%Y-%m-%d %H:%M}"
