"""Live chat of a stream: who may take part, sending (length, rate and mute checks), deleting,
muting, banning, the kept history, and the group pushes to everyone watching.

A mute stops a user sending; a ban (a `removed` restriction on the stream) also closes their
open chat sockets of that stream with 4403 and refuses new ones.

Messages are stored before they are pushed, so a client that missed a push reads the
history over REST. Only the newest LIVE_CHAT_HISTORY messages of a stream are kept.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from cnt import realtime
from live import policies
from live.models import (
    LiveChatMessage,
    LiveRestriction,
    LiveStream,
    RestrictionKind,
    StreamKind,
    StreamStatus,
)

logger = logging.getLogger("cnt.live")

EVENT_MESSAGE = "live.chat.message"
EVENT_DELETED = "live.chat.deleted"
EVENT_MUTED = "live.chat.muted"
EVENT_UNMUTED = "live.chat.unmuted"
EVENT_BANNED = "live.chat.banned"
EVENT_UNBANNED = "live.chat.unbanned"
OPEN_STATUSES = (StreamStatus.SCHEDULED, StreamStatus.LIVE)
MAX_ID = 2**63 - 1


class ChatError(Exception):
    """A chat action refused; the socket tells the sender and stays open."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def chat_group(stream_id) -> str:
    return f"live.chat.{int(stream_id)}"


def live_group_send(stream_id, event_type: str, payload: dict) -> bool:
    """Push an event to every socket of a stream's chat (through cnt.realtime)."""
    return realtime.send_to_group(chat_group(stream_id), event_type, payload)


def _push_after_commit(stream_id, event_type: str, payload: dict) -> None:
    transaction.on_commit(lambda: live_group_send(stream_id, event_type, payload), robust=True)


def message_payload(message: LiveChatMessage) -> dict:
    user = message.user
    return {
        "id": message.pk,
        "stream_id": message.stream_id,
        "user": {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name or user.username,
        },
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


# --- access --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatAccess:
    stream_id: int
    can_moderate: bool
    is_muted: bool


def chat_access(*, user, stream_id) -> ChatAccess | None:
    """What a user may do in a stream's chat, or None when they may not see the stream."""
    if not 0 < int(stream_id) <= MAX_ID:
        return None
    stream = LiveStream.objects.filter(pk=stream_id, kind=StreamKind.STREAM).first()
    if stream is None or not policies.can_view_stream(user, stream):
        return None
    if _is_banned(stream.pk, user.pk):
        return None
    return ChatAccess(
        stream_id=stream.pk,
        can_moderate=policies.can_moderate_chat(user, stream),
        is_muted=_is_muted(stream.pk, user.pk),
    )


def _is_muted(stream_id, user_id) -> bool:
    return LiveRestriction.objects.filter(
        stream_id=stream_id, user_id=user_id, kind=RestrictionKind.CHAT_MUTE
    ).exists()


def _is_banned(stream_id, user_id) -> bool:
    return LiveRestriction.objects.filter(
        stream_id=stream_id, user_id=user_id, kind=RestrictionKind.REMOVED
    ).exists()


def _open_stream(stream_id) -> LiveStream:
    stream = LiveStream.objects.filter(pk=stream_id, kind=StreamKind.STREAM).first()
    if stream is None:
        raise ChatError("not_found", "This stream no longer exists.")
    if stream.status not in OPEN_STATUSES:
        raise ChatError("chat_closed", "The chat of this stream is closed.")
    return stream


def _rate_limited(user_id) -> bool:
    """At most LIVE_CHAT_RATE_COUNT messages per LIVE_CHAT_RATE_SECONDS per user (fixed window
    in the shared cache, so every web process counts together)."""
    window = int(settings.LIVE_CHAT_RATE_SECONDS)
    key = f"live:chat:rate:{user_id}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > int(settings.LIVE_CHAT_RATE_COUNT)


# --- writes --------------------------------------------------------------------------------


def chat_message_send(*, stream_id, user, text) -> LiveChatMessage:
    """Store a message and push it to the stream's chat after commit."""
    text = (text if isinstance(text, str) else "").strip()
    limit = int(settings.LIVE_CHAT_MAX_LENGTH)
    if not text:
        raise ChatError("invalid", "A message needs some text.")
    if len(text) > limit:
        raise ChatError("too_long", f"Messages are at most {limit} characters.")
    if _rate_limited(user.pk):
        raise ChatError("rate_limited", "You are sending messages too fast; slow down.")
    stream = _open_stream(stream_id)
    if not policies.can_view_stream(user, stream):
        raise ChatError("forbidden", "You cannot take part in this chat.")
    if _is_banned(stream.pk, user.pk):
        raise ChatError("banned", "You are banned from this chat.")
    if _is_muted(stream.pk, user.pk):
        raise ChatError("muted", "You are muted in this chat.")
    with transaction.atomic():
        message = LiveChatMessage.objects.create(stream=stream, user=user, text=text)
        _prune(stream.pk)
        _push_after_commit(stream.pk, EVENT_MESSAGE, message_payload(message))
    return message


def _prune(stream_id) -> None:
    keep = int(settings.LIVE_CHAT_HISTORY)
    oldest_kept = (
        LiveChatMessage.objects.filter(stream_id=stream_id)
        .order_by("-id")
        .values_list("id", flat=True)[keep - 1 : keep]
    )
    boundary = next(iter(oldest_kept), None)
    if boundary is not None:
        LiveChatMessage.objects.filter(stream_id=stream_id, id__lt=boundary).delete()


def _moderated_stream(stream_id, by) -> LiveStream:
    stream = LiveStream.objects.filter(pk=stream_id, kind=StreamKind.STREAM).first()
    if stream is None:
        raise ChatError("not_found", "This stream no longer exists.")
    if not policies.can_moderate_chat(by, stream):
        raise ChatError("forbidden", "Only the host or a moderator can do this.")
    return stream


def chat_message_delete(*, stream_id, by, message_id) -> None:
    """Hide a message from the chat and its history (host or moderator)."""
    stream = _moderated_stream(stream_id, by)
    updated = LiveChatMessage.objects.filter(pk=message_id, stream=stream, is_deleted=False).update(
        is_deleted=True, deleted_by=by
    )
    if not updated:
        raise ChatError("not_found", "No such message in this chat.")
    _push_after_commit(stream.pk, EVENT_DELETED, {"id": int(message_id), "stream_id": stream.pk})


def _restrict(*, stream, by, user_id, kind, verb: str) -> None:
    if int(user_id) == stream.host_id:
        raise ChatError("invalid", f"The host cannot be {verb}.")
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(pk=user_id).exists():
        raise ChatError("not_found", "No such user.")
    try:
        with transaction.atomic():
            LiveRestriction.objects.get_or_create(
                stream=stream, user_id=user_id, kind=kind, defaults={"created_by": by}
            )
    except IntegrityError:  # a concurrent restriction of the same user won
        pass


def chat_user_mute(*, stream_id, by, user_id) -> None:
    """Stop a user from sending in this stream's chat (idempotent). Hosts cannot be muted."""
    stream = _moderated_stream(stream_id, by)
    _restrict(stream=stream, by=by, user_id=user_id, kind=RestrictionKind.CHAT_MUTE, verb="muted")
    _push_after_commit(stream.pk, EVENT_MUTED, {"user_id": int(user_id), "stream_id": stream.pk})


def chat_user_ban(*, stream_id, by, user_id) -> None:
    """Ban a user from this stream's chat (idempotent; host or moderator): their open chat
    sockets of this stream close with 4403 after commit and new ones are refused. Hosts and
    moderators cannot be banned."""
    stream = _moderated_stream(stream_id, by)
    from django.contrib.auth import get_user_model

    target = get_user_model().objects.filter(pk=user_id).first()
    if target is not None and policies.can_moderate_chat(target, stream):
        raise ChatError("invalid", "The host and moderators cannot be banned.")
    _restrict(stream=stream, by=by, user_id=user_id, kind=RestrictionKind.REMOVED, verb="banned")
    payload = {"user_id": int(user_id), "stream_id": stream.pk}
    transaction.on_commit(
        lambda: realtime.sockets_revoke(
            int(user_id),
            code=realtime.CLOSE_BANNED,
            reason="Banned from this chat.",
            stream_id=stream.pk,
        ),
        robust=True,
    )
    _push_after_commit(stream.pk, EVENT_BANNED, payload)


def chat_user_unban(*, stream_id, by, user_id) -> None:
    stream = _moderated_stream(stream_id, by)
    LiveRestriction.objects.filter(
        stream=stream, user_id=user_id, kind=RestrictionKind.REMOVED
    ).delete()
    _push_after_commit(stream.pk, EVENT_UNBANNED, {"user_id": int(user_id), "stream_id": stream.pk})


def chat_user_unmute(*, stream_id, by, user_id) -> None:
    stream = _moderated_stream(stream_id, by)
    LiveRestriction.objects.filter(
        stream=stream, user_id=user_id, kind=RestrictionKind.CHAT_MUTE
    ).delete()
    _push_after_commit(stream.pk, EVENT_UNMUTED, {"user_id": int(user_id), "stream_id": stream.pk})
