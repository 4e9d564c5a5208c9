"""The Celery app and Redress's one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later work adds its periodic jobs here, so that one schedule shows every clock Redress keeps.
app.conf.beat_schedule = {}

# Escalations (issue 6): escalate breached full-response deadlines where the policy says so.
app.conf.beat_schedule.update(
    {
        "escalations-auto-escalate-breached": {
            "task": "escalations.tasks.auto_escalate_breached",
            "schedule": 15 * 60,
        },
    }
)
