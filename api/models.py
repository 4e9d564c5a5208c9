"""The organisation's own apps: API clients, their submissions, and webhooks out."""

from __future__ import annotations

import base64
import re
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.choices import Channel
from complaints.models import Complaint, ComplaintEvent


class Scope(models.TextChoices):
    SUBMIT = "submit", _("Submit complaints and add information")
    READ = "read", _("Read its customers' complaints")
    EVENTS = "events", _("Receive its complaints' events by webhook")


class EventKind(models.TextChoices):
    RECEIVED = "complaint.received", _("Received")
    ACKNOWLEDGED = "complaint.acknowledged", _("Acknowledged")
    INFORMATION_REQUESTED = "complaint.information_requested", _("Information requested")
    CUSTOMER_REPLIED = "complaint.customer_replied", _("Customer replied")
    RESPONDED = "complaint.responded", _("Responded")
    ESCALATED = "complaint.escalated", _("Escalated")
    REVIEW_DECIDED = "complaint.review_decided", _("Review decided")
    RESOLVED = "complaint.resolved", _("Resolved")
    WITHDRAWN = "complaint.withdrawn", _("Withdrawn")
    DEADLINE_BREACHED = "complaint.deadline_breached", _("Deadline breached")


def all_event_kinds() -> list[str]:
    return list(EventKind.values)


class ApiClient(models.Model):
    """An app of the organisation that submits and reads complaints for its signed-in customers."""

    name = models.CharField(_("name"), max_length=120)
    scopes = models.JSONField(_("scopes"), default=list)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=[
            (Channel.IN_APP, Channel.IN_APP.label),
            (Channel.DASHBOARD, Channel.DASHBOARD.label),
        ],
        default=Channel.IN_APP,
        help_text=_("The channel its submissions arrive on."),
    )
    account_pattern = models.CharField(
        _("account identifiers allowed"),
        max_length=200,
        blank=True,
        help_text=_(
            "A regular expression the whole account identifier must match, e.g. CUST-[0-9]+. "
            "Empty: any account identifier."
        ),
    )
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"), default=120, help_text=_("Beyond this the API answers 429.")
    )
    embed_origins = models.TextField(
        _("origins allowed to embed the form"),
        blank=True,
        help_text=_("One origin per line, e.g. https://app.example.org. Empty: no embedding."),
    )
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    embed_secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": _("Unknown scopes: %s") % ", ".join(sorted(unknown))})
        if self.account_pattern:
            try:
                re.compile(self.account_pattern)
            except re.error as error:
                raise ValidationError(
                    {"account_pattern": _("Not a regular expression: %s") % error}
                ) from None
        for origin in self.origins():
            try:
                URLValidator(schemes=["https", "http"])(origin)
            except ValidationError:
                raise ValidationError(
                    {
                        "embed_origins": _("“%s” is not an origin like https://app.example.org.")
                        % origin
                    }
                ) from None
            if origin.count("/") != 2:
                raise ValidationError(
                    {"embed_origins": _("Give the origin only, without a path: %s") % origin}
                )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def allows_account(self, account: str) -> bool:
        return not self.account_pattern or re.fullmatch(self.account_pattern, account) is not None

    def origins(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.embed_origins.splitlines() if line.strip()
        ]


class ApiSubmission(models.Model):
    """A complaint a client submitted (through the API or its embedded form); it may read it.

    The idempotency key and a fingerprint of the request make a retried request return the same
    complaint: the unique constraint, not a prior SELECT, is what holds under concurrency.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    # Empty only inside the transaction that claims the idempotency key and then submits.
    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, null=True, related_name="api_submission"
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    via_embed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="api_one_complaint_per_idempotency_key",
            )
        ]
        indexes = [
            # The expiry sweep: submissions whose idempotency key is still kept, oldest first.
            models.Index(
                fields=["created_at"],
                condition=~Q(idempotency_key=""),
                name="api_idempotency_kept",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.complaint}"


class PersonalData(models.TextChoices):
    NONE = "none", _("None: reference, state and dates only")
    ACCOUNT = "account", _("The account identifier")
    CONTACT = "contact", _("Account identifier, name, email address and language")


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of the organisation's that hears about complaint events, signed with its secret."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["https", "http"])]
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Standard Webhooks secret (whsec_ and base64); the receiver verifies with it."),
    )
    kinds = models.JSONField(_("events"), default=all_event_kinds)
    personal_data = models.CharField(
        _("personal data in payloads"),
        max_length=16,
        choices=PersonalData.choices,
        default=PersonalData.NONE,
    )
    client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("API client"),
        help_text=_(
            "Only the complaints this client submitted (it needs the events scope). "
            "Empty: every complaint."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.kinds or []) - set(EventKind.values)
        if unknown:
            raise ValidationError({"kinds": _("Unknown events: %s") % ", ".join(sorted(unknown))})
        if self.client is not None and not self.client.has_scope(Scope.EVENTS):
            raise ValidationError({"client": _("This client does not have the events scope.")})


class WebhookEvent(models.Model):
    """A complaint event as webhooks tell it: one per timeline entry and kind, or per breach."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        ComplaintEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    deadline_kind = models.CharField(max_length=16, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind"],
                condition=Q(source__isnull=False),
                name="api_one_webhook_event_per_timeline_entry",
            ),
            models.UniqueConstraint(
                fields=["complaint", "deadline_at"],
                condition=Q(deadline_at__isnull=False),
                name="api_one_webhook_event_per_breach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.complaint}"

    @property
    def event_id(self) -> str:
        return f"evt_{self.public_id.hex}"


class WebhookCursor(models.Model):
    """How far the collecting sweep has read the timeline; its row lock serialises the sweeps."""

    name = models.CharField(max_length=40, primary_key=True)
    position = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: sent until the endpoint answers 2xx, never written twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="api_one_delivery_per_endpoint_and_event"
            )
        ]
        indexes = [
            # The delivery sweep: pending deliveries by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="api_webhook_pending",
            ),
            # The delivery sweep: deliveries a dead worker left "sending".
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="api_webhook_sending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"
