"""The one place WebSocket group sends happen. Each user's notifications socket listens on
group `user.<id>`; every socket of a user, whatever it is for, also listens on
`sessions.<id>`, which carries only revocations (the socket closes).

Sends are best-effort: state lives in the database, so a client that missed a push reads
it over REST, and a socket that missed a revocation is closed by its periodic re-check
(cnt/ws.py, WS_REVALIDATE_SECONDS). Call these from `transaction.on_commit` so nothing is
pushed for a rollback.
"""

import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger("cnt.realtime")

# Close codes of a socket whose rights ended while it was open (documented in cnt/asyncapi.py).
CLOSE_REVOKED = 4401  # the credentials: password change or reset, sign-out, deactivation
CLOSE_BANNED = 4403  # the place: a ban from a stream's chat
REVOKE_MESSAGE = "session.revoke"  # handled by AuthenticatedJsonConsumer.session_revoke


def user_group(user_id) -> str:
    return f"user.{user_id}"


def sessions_group(user_id) -> str:
    return f"sessions.{int(user_id)}"


def _group_send(group: str, message: dict) -> bool:
    layer = get_channel_layer()
    if layer is None or not group:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # a down Redis must not fail the write that triggered the push
        logger.warning("send %s to group %s failed: %s", message.get("type"), group, exc)
        return False
    return True


def send_to_group(group: str, event_type: str, payload: dict) -> bool:
    """Push `{"type": event_type, "payload": payload}` to every socket in a named group."""
    return _group_send(group, {"type": "push.event", "event": event_type, "payload": payload})


def send_to_user(user_id, event_type: str, payload: dict) -> bool:
    """Push `{"type": event_type, "payload": payload}` to every socket of one user."""
    if user_id is None:
        return False
    return send_to_group(user_group(user_id), event_type, payload)


def sockets_revoke(user_id, *, code: int = CLOSE_REVOKED, reason: str = "", stream_id=None) -> bool:
    """Close every open socket of a user with `code` (only its sockets on one stream's chat
    when `stream_id` is given). Best-effort: sockets also re-check their user periodically."""
    if user_id is None:
        return False
    message = {"type": REVOKE_MESSAGE, "code": int(code), "reason": reason[:120]}
    if stream_id is not None:
        message["stream_id"] = int(stream_id)
    return _group_send(sessions_group(user_id), message)


def sockets_revoke_on_commit(user_id, **options) -> None:
    """`sockets_revoke` once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(partial(sockets_revoke, user_id, **options), robust=True)
