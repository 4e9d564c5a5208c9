"""The Celery app and Redress's one beat schedule: every clock Redress keeps, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

MINUTE = 60.0

app.conf.beat_schedule = {
    # The outbox and the clock of messages owed to complainants and staff.
    "notifications-dispatch-pending": {
        "task": "notifications.tasks.dispatch_pending",
        "schedule": 1 * MINUTE,
    },
    "complaints-acknowledge-received": {
        "task": "complaints.tasks.acknowledge_received",
        "schedule": 1 * MINUTE,
    },
    "complaints-progress-updates": {
        "task": "complaints.tasks.send_progress_updates",
        "schedule": 5 * MINUTE,
    },
    # Rule packs (DISP): the holding reply nobody wrote, at its promise's aim.
    "complaints-holding-replies": {
        "task": "complaints.tasks.send_holding_replies",
        "schedule": 15 * MINUTE,
    },
    "complaints-promise-alerts": {
        "task": "complaints.tasks.send_promise_alerts",
        "schedule": 5 * MINUTE,
    },
    "complaints-auto-resolve": {
        "task": "complaints.tasks.auto_resolve_responses",
        "schedule": 15 * MINUTE,
    },
    # The staff's daily digest of the complainants' activity, for those who chose it.
    "notifications-staff-digests": {
        "task": "notifications.tasks.send_staff_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Inbound email: complaints and replies from the IMAP mailbox (off without REDRESS_IMAP_URL).
    "inbound-poll-mail": {
        "task": "inbound.tasks.poll_inbound_mail",
        "schedule": 1 * MINUTE,
    },
    "escalations-auto-escalate-breached": {
        "task": "escalations.tasks.auto_escalate_breached",
        "schedule": 15 * MINUTE,
    },
    # api: complaint events to the organisation's webhook endpoints, retried until acknowledged.
    "api-collect-webhook-events": {
        "task": "api.tasks.collect_webhook_events",
        "schedule": 1 * MINUTE,
    },
    "api-deliver-webhooks": {
        "task": "api.tasks.deliver_webhooks",
        "schedule": 1 * MINUTE,
    },
    "api-expire-idempotency-keys": {
        "task": "api.tasks.expire_idempotency_keys",
        "schedule": 60 * MINUTE,
    },
    # Each run anonymises one batch of closed cases past the policy's retention period.
    "complaints-anonymise-due": {
        "task": "complaints.tasks.anonymise_due_complaints",
        "schedule": 60 * MINUTE,
    },
    # Each run blanks one batch of inbound mail that belongs to no case, past its own period.
    "inbound-purge-unlinked": {
        "task": "inbound.tasks.purge_unlinked_inbound_mail",
        "schedule": 60 * MINUTE,
    },
}
