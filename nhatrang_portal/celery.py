"""Celery application. Tasks live in each app's tasks.py; beat jobs in CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhatrang_portal.settings.dev")

app = Celery("nhatrang_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
