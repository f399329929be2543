"""What streams, meetings and voice rooms share: room names, row locks, covers, tokens,
closing a room.

LiveKit creates a room when the first token holder joins, so scheduling, starting and minting
tokens never call the LiveKit server; only ending (to disconnect everyone) and participant
moderation do, and they do it outside any database transaction."""

import uuid

from django.db import transaction

from cnt.errors import Conflict
from live import chat, livekit
from live.livekit import TokenRole
from live.models import (
    LiveParticipant,
    LiveStream,
    StreamKind,
    StreamStatus,
)
from media.models import AssetKind, MediaAsset
from media.selectors import asset_get_usable_for_owner

EVENT_STREAM_STARTED = "live.stream.started"
EVENT_STREAM_ENDED = "live.stream.ended"
MAX_INVITES = 100
PASSCODE_WINDOW_SECONDS = 15 * 60

ROOM_PREFIX = {
    StreamKind.STREAM: "stream",
    StreamKind.MEETING: "meeting",
    StreamKind.VOICE_AGENT: "voice",
}


def room_name_new(kind: str) -> str:
    return f"{ROOM_PREFIX[kind]}-{uuid.uuid4().hex}"


def stream_locked(stream: LiveStream) -> LiveStream:
    return LiveStream.objects.select_for_update().get(pk=stream.pk)


def cover_asset(*, user, cover_id) -> MediaAsset | None:
    """The caller's own image asset; someone else's and an unknown id get the same answer."""
    if cover_id is None:
        return None
    return asset_get_usable_for_owner(
        user=user, asset_id=cover_id, kinds=(AssetKind.IMAGE,), field="cover"
    )


def display_name_of(user) -> str:
    return user.display_name or user.username


def token_payload(
    *, stream: LiveStream, user, role: TokenRole, room_config=None, metadata=None
) -> dict:
    cfg = livekit.require_config()
    identity = livekit.identity_for(user)
    token = livekit.token_mint(
        room=stream.room_name,
        identity=identity,
        role=role,
        name=display_name_of(user),
        metadata={"user_id": user.pk, "role": str(role), **(metadata or {})},
        room_config=room_config,
    )
    return {
        "token": token,
        "url": cfg.public_url,
        "room": stream.room_name,
        "identity": identity,
        "role": str(role),
    }


def participants_close(stream: LiveStream, at) -> None:
    LiveParticipant.objects.filter(stream=stream, left_at__isnull=True).update(left_at=at)


def room_close(stream: LiveStream) -> None:
    """Disconnect everyone (LiveKit answers not-found for a room nobody joined: fine)."""
    if livekit.is_configured():
        livekit.room_delete(stream.room_name)


def room_finish(stream: LiveStream, *, at) -> LiveStream:
    """End (or cancel, if it never started) a stream, meeting or voice room, once."""
    with transaction.atomic():
        locked = stream_locked(stream)
        if locked.status == StreamStatus.SCHEDULED and locked.kind == StreamKind.STREAM:
            locked.status = StreamStatus.CANCELLED
        elif locked.status in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
            locked.status = StreamStatus.ENDED
        else:
            raise Conflict(f"The room is already {locked.status}.")
        locked.ended_at = at
        locked.viewer_count = 0
        locked.save(update_fields=["status", "ended_at", "viewer_count", "updated_at"])
        participants_close(locked, at)
        if locked.kind == StreamKind.STREAM:
            stream_id = locked.pk
            chat._push_after_commit(
                stream_id, EVENT_STREAM_ENDED, {"stream_id": stream_id, "status": locked.status}
            )
    return locked
