"""Reads of a user's notifications and delivery preferences."""

from cnt.notifications.models import Notification, NotificationPreference


def notification_list(*, user, unread_only: bool = False):
    queryset = Notification.objects.filter(recipient_id=user.id).select_related("actor")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.id, read_at__isnull=True).count()


def notification_preferences(*, user) -> dict[str, NotificationPreference]:
    return {p.type: p for p in NotificationPreference.objects.filter(user_id=user.id)}
