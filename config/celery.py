"""The Celery app and Redress's one beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later work adds its periodic jobs here, so that one schedule shows every clock Redress keeps.
app.conf.beat_schedule = {}
