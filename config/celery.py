"""The Celery app and Redress's one beat schedule: every clock Redress keeps, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

MINUTE = 60.0

app.conf.beat_schedule = {
    "escalations-auto-escalate-breached": {
        "task": "escalations.tasks.auto_escalate_breached",
        "schedule": 15 * MINUTE,
    },
    # Each run anonymises one batch of closed cases past the policy's retention period.
    "anonymise-due-complaints": {
        "task": "reports.tasks.anonymise_due_complaints",
        "schedule": 60 * MINUTE,
    },
}
