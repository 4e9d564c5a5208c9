from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    """One email that reached us, kept raw; processed once, whatever happened to it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not processed yet")
        COMPLAINT = "complaint", _("New complaint")
        ATTACHED = "attached", _("Added to its case")
        HELD = "held", _("Held for a handler")
        AUTO_REPLY = "auto_reply", _("Automatic reply, ignored")
        BOUNCE = "bounce", _("Delivery report")
        UNPARSEABLE = "unparseable", _("Could not be read")
        DISCARDED = "discarded", _("Discarded by a handler")

    # "imap:<user>@<host>/<folder>" or "webhook:<esp>".
    source = models.CharField(_("source"), max_length=200)
    # IMAP: "<uidvalidity>:<uid>", unique in its mailbox; webhooks may give an event id.
    uid = models.CharField(max_length=100, blank=True)
    # The Message-ID, or a digest of the raw bytes for a message without one.
    dedupe_key = models.CharField(max_length=255, unique=True)
    raw = models.BinaryField(_("raw message"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
        verbose_name=_("complaint"),
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bounces",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        # The table kept its name when inbound email left the notifications app.
        db_table = "notifications_inboundemail"
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "uid"], condition=~Q(uid=""), name="inboundemail_source_uid"
            )
        ]
        indexes = [
            # The admin's "held" and "unparseable" lists, and rows a crashed poll left unprocessed.
            models.Index(
                fields=["status", "received_at"],
                condition=Q(status__in=["received", "held", "unparseable"]),
                name="inboundemail_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '(no subject)'}"
