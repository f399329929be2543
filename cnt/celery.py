"""The Celery app: JSON tasks, `default` and `media` queues, late acks for idempotent work."""

import os

from celery import Celery

from cnt.observability import connect_celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")

app = Celery("cnt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every task counted and timed, and the request id carried from publisher to worker.
connect_celery()
