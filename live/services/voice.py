"""Writes for voice-assistant rooms: a session and the agent's dispatch."""

from django.conf import settings

from cnt.errors import Conflict
from live import livekit
from live.livekit import TokenRole
from live.models import (
    LiveStream,
    StreamKind,
    StreamStatus,
)
from live.services.rooms import (
    room_name_new,
    token_payload,
)


def voice_session_create(*, user) -> tuple[LiveStream, dict]:
    """A personal voice-assistant room and a token whose room configuration dispatches the
    agent when the user joins (no LiveKit call). Nothing is stored unless LiveKit is set up."""
    livekit.require_config()
    session = LiveStream.objects.create(
        host=user,
        kind=StreamKind.VOICE_AGENT,
        title="Voice assistant",
        room_name=room_name_new(StreamKind.VOICE_AGENT),
        is_public=False,
    )
    room_config = livekit.room_config_for(
        room=session.room_name,
        empty_timeout=int(settings.LIVEKIT_VOICE_EMPTY_TIMEOUT),
        agent_name=settings.LIVEKIT_AGENT_NAME,
        agent_metadata={"user_id": user.pk, "session_id": session.pk},
    )
    payload = token_payload(
        stream=session, user=user, role=TokenRole.VOICE, room_config=room_config
    )
    return session, payload


def voice_agent_dispatch(*, session: LiveStream) -> str:
    """Send the assistant (again) into an existing voice room, e.g. after it left."""
    if session.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
        raise Conflict(f"This voice session has {session.status}.")
    return livekit.agent_dispatch_create(
        session.room_name,
        settings.LIVEKIT_AGENT_NAME,
        {"user_id": session.host_id, "session_id": session.pk},
    )
