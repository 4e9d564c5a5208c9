"""The Celery app and Redress's one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later work adds its periodic jobs here, so that one schedule shows every clock Redress keeps.
app.conf.beat_schedule = {
    # notifications: the outbox and the clock of messages owed to complainants and staff.
    "notifications-dispatch-pending": {
        "task": "notifications.tasks.dispatch_pending",
        "schedule": 60.0,
    },
    "notifications-acknowledge-received": {
        "task": "notifications.tasks.acknowledge_received",
        "schedule": 60.0,
    },
    "notifications-progress-updates": {
        "task": "notifications.tasks.send_progress_updates",
        "schedule": 300.0,
    },
    "notifications-deadline-alerts": {
        "task": "notifications.tasks.send_deadline_alerts",
        "schedule": 300.0,
    },
    "notifications-auto-resolve": {
        "task": "notifications.tasks.auto_resolve_responses",
        "schedule": 900.0,
    },
}
