"""The one module that talks to LiveKit, through the official `livekit-api` SDK only.

Tokens are minted offline with explicit grants (nothing is granted by the SDK's defaults);
room, participant, agent-dispatch and egress calls go to LiveKit's Twirp server API. Every
call is configured by LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET; without them the
callers get a 503 `not_configured`. An unreachable or failing LiveKit is a 503
`service_unavailable`; LiveKit's "not found" is returned as False/None where it is an
expected answer (a room nobody joined yet).
"""

import enum
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from google.protobuf import json_format
from livekit import api

from cnt.errors import (
    InvalidInput,
    NotConfigured,
    ServiceUnavailable,
    SignatureInvalid,
    UpstreamRejected,
)

logger = logging.getLogger("cnt.live")

IDENTITY_PREFIX = "user-"


class InvalidWebhook(SignatureInvalid):
    """A webhook whose signature or body hash does not verify (never a 403: no user here)."""

    default_detail = _("The webhook signature is invalid.")
    default_code = "invalid_signature"


class MalformedWebhook(InvalidInput):
    """A webhook that verifies but whose body does not fit LiveKit's event format (a 400:
    the sender's bug, which no retry fixes)."""

    default_detail = _("The webhook event is malformed.")
    default_code = "invalid_payload"


class LiveKitRejected(UpstreamRejected):
    """LiveKit refused a request we made (a bug or a state we did not expect)."""

    default_detail = _("LiveKit refused the request.")
    default_code = "bad_gateway"


class TokenRole(enum.StrEnum):
    HOST = "host"  # a stream's broadcaster
    VIEWER = "viewer"  # watches a stream: subscribe only
    PARTICIPANT = "participant"  # a meeting participant
    VOICE = "voice"  # the user of a voice-assistant room: microphone only


# Explicit grants per role. The SDK's VideoGrants default to publish=True, so every flag is
# spelled out. Live chat goes over our WebSocket, so stream viewers get no data channel.
ROLE_GRANTS: dict[TokenRole, dict] = {
    TokenRole.HOST: {"can_publish": True, "can_subscribe": True, "can_publish_data": True},
    TokenRole.VIEWER: {"can_publish": False, "can_subscribe": True, "can_publish_data": False},
    TokenRole.PARTICIPANT: {
        "can_publish": True,
        "can_subscribe": True,
        "can_publish_data": True,
    },
    TokenRole.VOICE: {
        "can_publish": True,
        "can_subscribe": True,
        "can_publish_data": True,
        "can_publish_sources": ["microphone"],
    },
}


@dataclass(frozen=True)
class Config:
    url: str
    public_url: str
    api_key: str
    api_secret: str


def config() -> Config | None:
    url, key, secret = settings.LIVEKIT_URL, settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET
    if not (url and key and secret):
        return None
    return Config(url, settings.LIVEKIT_PUBLIC_URL or url, key, secret)


def is_configured() -> bool:
    return config() is not None


def require_config() -> Config:
    found = config()
    if found is None:
        raise NotConfigured("Live streaming (LiveKit) is not configured on this server.")
    return found


def identity_for(user) -> str:
    return f"{IDENTITY_PREFIX}{user.pk}"


def user_id_of(identity: str) -> int | None:
    """The user id an identity we minted names, or None for agents, egress and strangers."""
    if not identity.startswith(IDENTITY_PREFIX):
        return None
    rest = identity[len(IDENTITY_PREFIX) :]
    return int(rest) if rest.isdigit() else None


# --- tokens (offline) ----------------------------------------------------------------------


def grants_for(role: TokenRole, room: str) -> api.VideoGrants:
    return api.VideoGrants(
        room_join=True,
        room=room,
        can_update_own_metadata=False,
        **ROLE_GRANTS[role],
    )


def token_mint(
    *,
    room: str,
    identity: str,
    role: TokenRole,
    name: str = "",
    metadata: dict | None = None,
    room_config: api.RoomConfiguration | None = None,
) -> str:
    """A short-lived join token for one room with exactly the grants of `role`."""
    cfg = require_config()
    token = (
        api.AccessToken(cfg.api_key, cfg.api_secret)
        .with_identity(identity)
        .with_name(name[:128])
        .with_grants(grants_for(role, room))
        .with_ttl(timedelta(seconds=int(settings.LIVEKIT_TOKEN_TTL_SECONDS)))
    )
    if metadata:
        token = token.with_metadata(json.dumps(metadata, separators=(",", ":")))
    if room_config is not None:
        token = token.with_room_config(room_config)
    return token.to_jwt()


def room_config_for(
    *,
    room: str,
    empty_timeout: int = 0,
    max_participants: int = 0,
    agent_name: str = "",
    agent_metadata: dict | None = None,
) -> api.RoomConfiguration:
    """Room settings carried in a token and applied when that token's join creates the room;
    with `agent_name` the agent is dispatched by LiveKit itself (no server call)."""
    room_config = api.RoomConfiguration(
        name=room, empty_timeout=empty_timeout, max_participants=max_participants
    )
    if agent_name:
        room_config.agents.append(
            api.RoomAgentDispatch(
                agent_name=agent_name,
                metadata=json.dumps(agent_metadata or {}, separators=(",", ":")),
            )
        )
    return room_config


# --- webhooks (offline) --------------------------------------------------------------------


def webhook_event(body: bytes, authorization: str) -> api.WebhookEvent:
    """Verify LiveKit's signed JWT (and the body's sha256 in it) on the raw body, then parse."""
    cfg = require_config()
    token = (authorization or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise InvalidWebhook("The webhook has no Authorization token.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidWebhook("The webhook body is not UTF-8.")
    receiver = api.WebhookReceiver(api.TokenVerifier(cfg.api_key, cfg.api_secret))
    try:
        return receiver.receive(text, token)
    except json_format.ParseError as exc:  # raised only once signature and hash verified
        logger.info("rejected a malformed LiveKit webhook: %s", exc)
        raise MalformedWebhook()
    except Exception as exc:  # the SDK raises plain Exception / jwt errors
        logger.info("rejected a LiveKit webhook: %s", exc)
        raise InvalidWebhook()


# --- server API (Twirp over HTTP) ----------------------------------------------------------


def _is_not_found(exc: api.TwirpError) -> bool:
    return exc.code == api.TwirpErrorCode.NOT_FOUND


def _call(operation):
    """Run `operation(lkapi)` against LiveKit and map its failures to API errors."""
    cfg = require_config()

    async def run():
        timeout = aiohttp.ClientTimeout(total=float(settings.LIVEKIT_API_TIMEOUT_SECONDS))
        async with api.LiveKitAPI(
            cfg.url, cfg.api_key, cfg.api_secret, timeout=timeout, failover=False
        ) as lkapi:
            return await operation(lkapi)

    try:
        return async_to_sync(run)()
    except api.TwirpError as exc:
        if _is_not_found(exc):
            raise
        logger.warning("LiveKit answered %s: %s", exc.status, exc)
        if exc.status >= 500:
            raise ServiceUnavailable("LiveKit is unavailable; try again shortly.")
        raise LiveKitRejected(f"LiveKit refused the request: {exc.message or exc.code}")
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        logger.warning("LiveKit unreachable: %s", exc)
        raise ServiceUnavailable("LiveKit is unavailable; try again shortly.")


def room_create(
    name: str, *, empty_timeout: int = 0, max_participants: int = 0, metadata: str = ""
) -> api.Room:
    return _call(
        lambda lk: lk.room.create_room(
            api.CreateRoomRequest(
                name=name,
                empty_timeout=empty_timeout,
                max_participants=max_participants,
                metadata=metadata,
            )
        )
    )


def room_list(names: list[str] | None = None) -> list[api.Room]:
    response = _call(lambda lk: lk.room.list_rooms(api.ListRoomsRequest(names=names or [])))
    return list(response.rooms)


def room_delete(name: str) -> bool:
    """Close a room and disconnect everyone; False when the room does not exist."""
    try:
        _call(lambda lk: lk.room.delete_room(api.DeleteRoomRequest(room=name)))
    except api.TwirpError:
        return False
    return True


def participant_list(room: str) -> list[api.ParticipantInfo]:
    """Who is in the room now; empty when the room does not exist (yet)."""
    try:
        response = _call(
            lambda lk: lk.room.list_participants(api.ListParticipantsRequest(room=room))
        )
    except api.TwirpError:
        return []
    return list(response.participants)


def participant_remove(room: str, identity: str) -> bool:
    """Disconnect one participant; False when they are not in the room."""
    try:
        _call(
            lambda lk: lk.room.remove_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            )
        )
    except api.TwirpError:
        return False
    return True


def participant_mute(
    room: str, identity: str, *, track_sid: str = "", muted: bool = True
) -> list[str] | None:
    """Mute (or unmute) one published track, or every audio track of the participant when
    no track is named. Returns the sids changed, or None when the participant is absent."""

    async def mute(lk):
        if track_sid:
            sids = [track_sid]
        else:
            info = await lk.room.get_participant(
                api.RoomParticipantIdentity(room=room, identity=identity)
            )
            sids = [t.sid for t in info.tracks if t.type == api.TrackType.AUDIO]
        for sid in sids:
            await lk.room.mute_published_track(
                api.MuteRoomTrackRequest(room=room, identity=identity, track_sid=sid, muted=muted)
            )
        return sids

    try:
        return _call(mute)
    except api.TwirpError:
        return None


def agent_dispatch_create(room: str, agent_name: str, metadata: dict | None = None) -> str:
    """Send an agent into a room that already exists (new rooms get theirs via the token)."""
    dispatch = _call(
        lambda lk: lk.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(
                agent_name=agent_name,
                room=room,
                metadata=json.dumps(metadata or {}, separators=(",", ":")),
            )
        )
    )
    return dispatch.id


def _s3_upload() -> api.S3Upload | None:
    bucket = getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    endpoint = getattr(settings, "AWS_S3_ENDPOINT_URL", None) or ""
    return api.S3Upload(
        bucket=bucket,
        region=getattr(settings, "AWS_S3_REGION_NAME", None) or "",
        endpoint=endpoint,
        access_key=getattr(settings, "AWS_ACCESS_KEY_ID", None) or "",
        secret=getattr(settings, "AWS_SECRET_ACCESS_KEY", None) or "",
        force_path_style=bool(endpoint),
    )


def egress_is_enabled() -> bool:
    return bool(settings.LIVEKIT_EGRESS_ENABLED) and is_configured()


def egress_start_room(room: str, filepath: str) -> str:
    """Record the room (composite) to one MP4 file: into our S3 bucket when files live on S3,
    else wherever the egress service writes (LIVEKIT_EGRESS_LOCAL_DIR must then be shared)."""
    if not egress_is_enabled():
        raise NotConfigured("Recording (LiveKit egress) is not configured on this server.")
    output = api.EncodedFileOutput(file_type=api.EncodedFileType.MP4, filepath=filepath)
    s3 = _s3_upload()
    if s3 is not None:
        output.s3.CopyFrom(s3)
    info = _call(
        lambda lk: lk.egress.start_room_composite_egress(
            api.RoomCompositeEgressRequest(room_name=room, file_outputs=[output])
        )
    )
    return info.egress_id


def egress_stop(egress_id: str) -> bool:
    """Stop a recording; False when LiveKit no longer knows it (already ended)."""
    if not is_configured():
        raise NotConfigured("Recording (LiveKit egress) is not configured on this server.")
    try:
        _call(lambda lk: lk.egress.stop_egress(api.StopEgressRequest(egress_id=egress_id)))
    except api.TwirpError:
        return False
    return True
