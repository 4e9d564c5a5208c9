"""The Celery app and Redress's one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later work adds its periodic jobs here, so that one schedule shows every clock Redress keeps.
app.conf.beat_schedule = {}

# --- reports (issue 8): retention ---------------------------------------------------------
app.conf.beat_schedule["anonymise-due-complaints"] = {
    "task": "reports.tasks.anonymise_due_complaints",
    "schedule": 3600.0,  # hourly; each run anonymises one batch of cases past retention
}
# --- end reports ---------------------------------------------------------------------------
