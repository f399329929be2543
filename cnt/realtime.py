"""The one place WebSocket group sends happen. Each user listens on group `user.<id>`.

Sends are best-effort: state lives in the database, so a client that missed a push reads
it over REST. Call these from `transaction.on_commit` so nothing is pushed for a rollback.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger("cnt.realtime")


def user_group(user_id) -> str:
    return f"user.{user_id}"


def send_to_group(group: str, event_type: str, payload: dict) -> bool:
    """Push `{"type": event_type, "payload": payload}` to every socket in a named group."""
    layer = get_channel_layer()
    if layer is None or not group:
        return False
    try:
        async_to_sync(layer.group_send)(
            group, {"type": "push.event", "event": event_type, "payload": payload}
        )
    except Exception as exc:  # a down Redis must not fail the write that triggered the push
        logger.warning("push %s to group %s failed: %s", event_type, group, exc)
        return False
    return True


def send_to_user(user_id, event_type: str, payload: dict) -> bool:
    """Push `{"type": event_type, "payload": payload}` to every socket of one user."""
    if user_id is None:
        return False
    return send_to_group(user_group(user_id), event_type, payload)
