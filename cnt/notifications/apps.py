from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, their delivery preferences and email: the platform service every
    app that notifies calls, whatever its layer."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cnt.notifications"
    label = "notifications"
    verbose_name = "Notifications"
