"""Writes for live streams, meetings and voice-assistant rooms, one module each (rooms.py:
what they share). Callers import from here."""

from live.services.meetings import (
    meeting_create,
    meeting_end,
    meeting_invite,
    meeting_participant_mute,
    meeting_participant_remove,
    meeting_participants,
    meeting_token,
)
from live.services.rooms import (
    EVENT_STREAM_ENDED,
    EVENT_STREAM_STARTED,
    MAX_INVITES,
    PASSCODE_WINDOW_SECONDS,
    ROOM_PREFIX,
)
from live.services.streams import (
    stream_create,
    stream_end,
    stream_notify_followers,
    stream_start,
    stream_token,
)
from live.services.voice import (
    voice_agent_dispatch,
    voice_session_create,
)

__all__ = [
    "EVENT_STREAM_ENDED",
    "EVENT_STREAM_STARTED",
    "MAX_INVITES",
    "PASSCODE_WINDOW_SECONDS",
    "ROOM_PREFIX",
    "meeting_create",
    "meeting_end",
    "meeting_invite",
    "meeting_participant_mute",
    "meeting_participant_remove",
    "meeting_participants",
    "meeting_token",
    "stream_create",
    "stream_end",
    "stream_notify_followers",
    "stream_start",
    "stream_token",
    "voice_agent_dispatch",
    "voice_session_create",
]
