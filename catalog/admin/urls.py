"""Console pages of Django Admin that belong to no one model (mounted under ADMIN_URL by
cnt/urls.py, before the admin site's own routes); each is wrapped by admin_view, so only
active staff reach it, and each view checks its own permissions."""

from django.contrib import admin
from django.urls import path

from catalog.admin import dashboard, queue

urlpatterns = [
    path("moderation/queue/", admin.site.admin_view(queue.queue_view), name="moderation-queue"),
    path(
        "moderation/queue/decide/",
        admin.site.admin_view(queue.decide_view),
        name="moderation-queue-decide",
    ),
    path("dashboard/", admin.site.admin_view(dashboard.dashboard_view), name="console-dashboard"),
    path(
        "dashboard/retry/",
        admin.site.admin_view(dashboard.retry_view),
        name="console-dashboard-retry",
    ),
]
