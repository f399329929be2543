"""The Celery app: JSON tasks, `default` and `media` queues, late acks for idempotent work."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")

app = Celery("cnt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
