"""The live app's settings with their defaults, read at call time (tests override settings).

Every name here belongs in cnt/settings/base.py and .env.example; until it is there the
default below applies.
"""

from django.conf import settings

DEFAULTS = {
    # The URL clients connect to (wss://...); LIVEKIT_URL when empty.
    "LIVEKIT_PUBLIC_URL": "",
    # Lifetime of the room tokens we mint: enough to connect, short if leaked.
    "LIVEKIT_TOKEN_TTL_SECONDS": 600,
    # Timeout of one call to LiveKit's server API.
    "LIVEKIT_API_TIMEOUT_SECONDS": 10,
    # The agent name the voice worker registers with (explicit dispatch).
    "LIVEKIT_AGENT_NAME": "cnt-voice-assistant",
    # Seconds an empty meeting / voice room stays open before LiveKit closes it.
    "LIVEKIT_MEETING_EMPTY_TIMEOUT": 600,
    "LIVEKIT_VOICE_EMPTY_TIMEOUT": 60,
    # Recording to VOD: egress on/off, the key prefix of recordings, and the only local
    # directory a recording may be imported from (egress writing to a shared disk).
    "LIVEKIT_EGRESS_ENABLED": False,
    "LIVEKIT_EGRESS_PREFIX": "live/recordings",
    "LIVEKIT_EGRESS_LOCAL_DIR": "",
    # Live chat: longest message, messages per window per user, window, kept history.
    "LIVE_CHAT_MAX_LENGTH": 500,
    "LIVE_CHAT_RATE_COUNT": 5,
    "LIVE_CHAT_RATE_SECONDS": 5,
    "LIVE_CHAT_HISTORY": 200,
    # New voice-assistant rooms per user (DRF rate: N/sec|min|hour|day).
    "LIVE_VOICE_SESSION_RATE": "10/min",
    # Failed meeting passcode attempts per user and meeting in 15 minutes.
    "LIVE_PASSCODE_ATTEMPTS": 10,
    # Voice assistant models and optional endpoints (self-hosted or test servers).
    "VOICE_AGENT_LLM_MODEL": "gpt-4o-mini",
    "VOICE_AGENT_TTS_MODEL": "gpt-4o-mini-tts",
    "VOICE_AGENT_TTS_VOICE": "alloy",
    "VOICE_AGENT_STT_MODEL": "nova-3",
    "DEEPGRAM_BASE_URL": "",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
