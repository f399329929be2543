"""Creating notifications: the row first (the source of truth), the WebSocket push after commit.

A client that missed a push reads its notifications over REST, so a failed push loses nothing.
"""

from django.db import transaction

from cnt import realtime
from community.models import Notification, NotificationPreference

EVENT_CREATED = "community.notification.created"


def _pk(value):
    """Accept a model instance or a primary key (callers often hold only `owner_id`)."""
    return getattr(value, "pk", value)


def notification_payload(notification: Notification) -> dict:
    """The JSON a client receives for a notification (push and REST share the fields)."""
    return {
        "id": notification.pk,
        "type": notification.type,
        "title": notification.title,
        "message": notification.message,
        "data": notification.data,
        "actor_id": notification.actor_id,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
        "created_at": notification.created_at.isoformat(),
    }


def notification_create(
    *, recipient, type: str, title: str, message: str = "", data=None, actor=None
) -> Notification | None:
    """Store a notification for `recipient` and push it to their sockets once committed.

    The recipient's preferences for this type decide: in-app off stores nothing (None is
    returned); email on also sends it by email after commit."""
    max_title = Notification._meta.get_field("title").max_length
    if len(title) > max_title:
        title = title[: max_title - 1] + "…"
    preference = NotificationPreference.objects.filter(user_id=_pk(recipient), type=type).first()
    if preference is not None and preference.email:
        from community.tasks import send_notification_email

        recipient_pk, subject, body = _pk(recipient), title, message
        transaction.on_commit(
            lambda: send_notification_email.delay(recipient_pk, subject, body), robust=True
        )
    if preference is not None and not preference.in_app:
        return None
    notification = Notification.objects.create(
        recipient_id=_pk(recipient),
        actor_id=_pk(actor),
        type=type,
        title=title,
        message=message,
        data=data or {},
    )
    recipient_id = notification.recipient_id
    payload = notification_payload(notification)
    transaction.on_commit(
        lambda: realtime.send_to_user(recipient_id, EVENT_CREATED, payload), robust=True
    )
    return notification
