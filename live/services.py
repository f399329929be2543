"""Writes for live streams, meetings and voice-assistant rooms.

LiveKit creates a room when the first token holder joins, so scheduling, starting and minting
tokens never call the LiveKit server; only ending (to disconnect everyone) and participant
moderation do, and they do it outside any database transaction.
"""

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.policies import is_moderator
from cnt.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from live import chat, livekit, policies
from live.livekit import TokenRole
from live.models import (
    LiveParticipant,
    LiveRestriction,
    LiveStream,
    MeetingInvite,
    RestrictionKind,
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


def _room_name(kind: str) -> str:
    return f"{ROOM_PREFIX[kind]}-{uuid.uuid4().hex}"


def _locked(stream: LiveStream) -> LiveStream:
    return LiveStream.objects.select_for_update().get(pk=stream.pk)


def _cover(*, user, cover_id) -> MediaAsset | None:
    """The caller's own image asset; someone else's and an unknown id get the same answer."""
    if cover_id is None:
        return None
    return asset_get_usable_for_owner(
        user=user, asset_id=cover_id, kinds=(AssetKind.IMAGE,), field="cover"
    )


def _display_name(user) -> str:
    return user.display_name or user.username


def _token_payload(
    *, stream: LiveStream, user, role: TokenRole, room_config=None, metadata=None
) -> dict:
    cfg = livekit.require_config()
    identity = livekit.identity_for(user)
    token = livekit.token_mint(
        room=stream.room_name,
        identity=identity,
        role=role,
        name=_display_name(user),
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


def _close_participants(stream: LiveStream, at) -> None:
    LiveParticipant.objects.filter(stream=stream, left_at__isnull=True).update(left_at=at)


def _close_room(stream: LiveStream) -> None:
    """Disconnect everyone (LiveKit answers not-found for a room nobody joined: fine)."""
    if livekit.is_configured():
        livekit.room_delete(stream.room_name)


# --- streams -------------------------------------------------------------------------------


def stream_create(
    *,
    host,
    title: str,
    description: str = "",
    scheduled_at=None,
    cover_id=None,
    category=None,
    is_public: bool = True,
) -> LiveStream:
    """Schedule a broadcast. No LiveKit call: the room appears when the host joins."""
    cover = _cover(user=host, cover_id=cover_id)
    return LiveStream.objects.create(
        host=host,
        kind=StreamKind.STREAM,
        title=title,
        description=description,
        room_name=_room_name(StreamKind.STREAM),
        scheduled_start=scheduled_at,
        thumbnail=cover,
        category=category,
        is_public=is_public,
    )


def stream_start(*, stream: LiveStream) -> LiveStream:
    """Go live (scheduled -> live, once). Followers of the host's artist profile are notified
    by a task after commit."""
    from live.tasks import notify_followers

    with transaction.atomic():
        locked = _locked(stream)
        if locked.status != StreamStatus.SCHEDULED:
            raise Conflict(f"The stream is {locked.status}; only a scheduled stream can start.")
        locked.status = StreamStatus.LIVE
        locked.started_at = timezone.now()
        locked.viewer_count = 0
        locked.save(update_fields=["status", "started_at", "viewer_count", "updated_at"])
        stream_id = locked.pk
        transaction.on_commit(lambda: notify_followers.delay(stream_id))
        chat._push_after_commit(
            stream_id, EVENT_STREAM_STARTED, {"stream_id": stream_id, "status": locked.status}
        )
    return locked


def stream_end(*, stream: LiveStream) -> LiveStream:
    """End a live stream (disconnecting everyone) or cancel a scheduled one."""
    if stream.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
        raise Conflict(f"The stream is already {stream.status}.")
    if stream.status == StreamStatus.LIVE:
        _close_room(stream)
    return _finish(stream, at=timezone.now())


def _finish(stream: LiveStream, *, at) -> LiveStream:
    with transaction.atomic():
        locked = _locked(stream)
        if locked.status == StreamStatus.SCHEDULED and locked.kind == StreamKind.STREAM:
            locked.status = StreamStatus.CANCELLED
        elif locked.status in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
            locked.status = StreamStatus.ENDED
        else:
            raise Conflict(f"The room is already {locked.status}.")
        locked.ended_at = at
        locked.viewer_count = 0
        locked.save(update_fields=["status", "ended_at", "viewer_count", "updated_at"])
        _close_participants(locked, at)
        if locked.kind == StreamKind.STREAM:
            stream_id = locked.pk
            chat._push_after_commit(
                stream_id, EVENT_STREAM_ENDED, {"stream_id": stream_id, "status": locked.status}
            )
    return locked


def stream_token(*, stream: LiveStream, user) -> dict:
    """A join token: the host publishes (also before going live, to get ready); everyone
    else watches a live stream and cannot publish."""
    if stream.host_id == user.pk:
        if stream.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
            raise Conflict(f"The stream is {stream.status}.")
        return _token_payload(stream=stream, user=user, role=TokenRole.HOST)
    if stream.status != StreamStatus.LIVE:
        raise Conflict(f"The stream is {stream.status}, not live.")
    return _token_payload(stream=stream, user=user, role=TokenRole.VIEWER)


def stream_notify_followers(*, stream_id) -> int:
    """Tell the followers of the host's artist profile that a public stream went live; once
    per stream (the row is claimed under lock). Returns how many were notified."""
    from catalog.models import Artist
    from catalog.services import artist_followers_notify
    from cnt.notifications.models import NotificationType

    with transaction.atomic():
        stream = (
            LiveStream.objects.select_for_update()
            .select_related("host")
            .filter(
                pk=stream_id,
                kind=StreamKind.STREAM,
                status=StreamStatus.LIVE,
                is_public=True,
                followers_notified_at__isnull=True,
            )
            .first()
        )
        if stream is None:
            return 0
        stream.followers_notified_at = timezone.now()
        stream.save(update_fields=["followers_notified_at", "updated_at"])
        artist = Artist.objects.filter(user_id=stream.host_id).values_list("pk", flat=True)
        artist_id = artist.first()
        if artist_id is None:
            return 0
        return artist_followers_notify(
            artist_id=artist_id,
            type=NotificationType.LIVE_STARTED,
            title=f"{_display_name(stream.host)} is live: {stream.title}",
            message=stream.description[:280],
            data={"stream_id": stream.pk, "host_id": stream.host_id},
            actor=stream.host_id,
        )


# --- meetings ------------------------------------------------------------------------------


def _active_user_ids(user_ids) -> list[int]:
    wanted = sorted({int(pk) for pk in user_ids})
    if len(wanted) > MAX_INVITES:
        raise InvalidInput(errors={"invitees": [f"At most {MAX_INVITES} invitees at a time."]})
    found = set(
        get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True)
    )
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise InvalidInput(errors={"invitees": [f"No such users: {missing}."]})
    return wanted


def meeting_create(
    *,
    host,
    title: str,
    description: str = "",
    passcode: str = "",
    max_participants: int = 0,
    scheduled_at=None,
    invitee_ids=(),
) -> LiveStream:
    """A private meeting room; joined by the host, invitees and passcode holders."""
    invitees = _active_user_ids(invitee_ids)
    with transaction.atomic():
        meeting = LiveStream.objects.create(
            host=host,
            kind=StreamKind.MEETING,
            title=title,
            description=description,
            room_name=_room_name(StreamKind.MEETING),
            is_public=False,
            scheduled_start=scheduled_at,
            passcode_hash=make_password(passcode) if passcode else "",
            max_participants=max_participants,
        )
        MeetingInvite.objects.bulk_create(
            [
                MeetingInvite(meeting=meeting, user_id=pk, invited_by=host)
                for pk in invitees
                if pk != host.pk
            ]
        )
    return meeting


def meeting_invite(*, meeting: LiveStream, by, user_ids) -> list[int]:
    """Invite users (idempotent); returns every invitee's id."""
    invitees = [pk for pk in _active_user_ids(user_ids) if pk != meeting.host_id]
    MeetingInvite.objects.bulk_create(
        [MeetingInvite(meeting=meeting, user_id=pk, invited_by=by) for pk in invitees],
        ignore_conflicts=True,
    )
    LiveRestriction.objects.filter(
        stream=meeting, user_id__in=invitees, kind=RestrictionKind.REMOVED
    ).delete()
    return list(
        MeetingInvite.objects.filter(meeting=meeting)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _passcode_key(meeting_id, user_id) -> str:
    return f"live:passcode:{meeting_id}:{user_id}"


def _passcode_ok(meeting: LiveStream, user, passcode: str) -> bool:
    """Check a passcode, with at most LIVE_PASSCODE_ATTEMPTS failures per user and meeting
    in 15 minutes (429 after that, even for the right passcode)."""
    key = _passcode_key(meeting.pk, user.pk)
    limit = int(settings.LIVE_PASSCODE_ATTEMPTS)
    if int(cache.get(key, 0)) >= limit:
        raise RateLimited("Too many wrong passcodes.", retry_after=PASSCODE_WINDOW_SECONDS)
    if meeting.passcode_hash and passcode and check_password(passcode, meeting.passcode_hash):
        return True
    cache.add(key, 0, timeout=PASSCODE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=PASSCODE_WINDOW_SECONDS)
    return False


def meeting_token(*, meeting: LiveStream, user, passcode: str = "") -> dict:
    """A token for the host, an invitee, a moderator or a passcode holder. A wrong passcode
    answers like an unknown meeting (404); someone the host removed gets 403."""
    allowed = (
        meeting.host_id == user.pk
        or policies.is_invited(user, meeting)
        or is_moderator(user)
        or _passcode_ok(meeting, user, passcode)
    )
    if not allowed:
        raise Http404
    if meeting.host_id != user.pk and (
        LiveRestriction.objects.filter(
            stream=meeting, user_id=user.pk, kind=RestrictionKind.REMOVED
        ).exists()
    ):
        raise Forbidden("The host removed you from this meeting.")
    if meeting.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
        raise Conflict(f"The meeting has {meeting.status}.")
    room_config = livekit.room_config_for(
        room=meeting.room_name,
        empty_timeout=int(settings.LIVEKIT_MEETING_EMPTY_TIMEOUT),
        max_participants=meeting.max_participants,
    )
    return _token_payload(
        stream=meeting, user=user, role=TokenRole.PARTICIPANT, room_config=room_config
    )


def _participant_payload(info) -> dict:
    from livekit import api

    return {
        "identity": info.identity,
        "name": info.name,
        "user_id": livekit.user_id_of(info.identity),
        "kind": api.ParticipantInfo.Kind.Name(info.kind).lower(),
        "joined_at": datetime.fromtimestamp(info.joined_at, tz=UTC) if info.joined_at else None,
        "tracks": [
            {
                "sid": track.sid,
                "type": api.TrackType.Name(track.type).lower(),
                "source": api.TrackSource.Name(track.source).lower(),
                "muted": track.muted,
            }
            for track in info.tracks
        ],
    }


def meeting_participants(*, meeting: LiveStream) -> list[dict]:
    """Who is in the meeting room now, as LiveKit reports it."""
    livekit.require_config()
    return [_participant_payload(info) for info in livekit.participant_list(meeting.room_name)]


def meeting_participant_remove(*, meeting: LiveStream, by, identity: str) -> None:
    """Disconnect a participant; a signed-in user cannot rejoin until invited again."""
    livekit.require_config()
    user_id = livekit.user_id_of(identity)
    if user_id == meeting.host_id:
        raise InvalidInput(errors={"identity": ["The host cannot be removed."]})
    if not livekit.participant_remove(meeting.room_name, identity):
        raise NotFound("No participant with this identity is in the meeting.")
    if user_id is not None and get_user_model().objects.filter(pk=user_id).exists():
        LiveRestriction.objects.get_or_create(
            stream=meeting,
            user_id=user_id,
            kind=RestrictionKind.REMOVED,
            defaults={"created_by": by},
        )


def meeting_participant_mute(
    *, meeting: LiveStream, identity: str, track_sid: str = "", muted: bool = True
) -> list[str]:
    """Mute (or unmute) a participant's microphone, or the one track named."""
    livekit.require_config()
    sids = livekit.participant_mute(meeting.room_name, identity, track_sid=track_sid, muted=muted)
    if sids is None:
        raise NotFound("No participant or track with this identity is in the meeting.")
    return sids


def meeting_end(*, meeting: LiveStream) -> LiveStream:
    """Close the room for everyone and mark the meeting ended."""
    if meeting.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
        raise Conflict(f"The meeting has already {meeting.status}.")
    _close_room(meeting)
    return _finish(meeting, at=timezone.now())


# --- voice assistant -----------------------------------------------------------------------


def voice_session_create(*, user) -> tuple[LiveStream, dict]:
    """A personal voice-assistant room and a token whose room configuration dispatches the
    agent when the user joins (no LiveKit call). Nothing is stored unless LiveKit is set up."""
    livekit.require_config()
    session = LiveStream.objects.create(
        host=user,
        kind=StreamKind.VOICE_AGENT,
        title="Voice assistant",
        room_name=_room_name(StreamKind.VOICE_AGENT),
        is_public=False,
    )
    room_config = livekit.room_config_for(
        room=session.room_name,
        empty_timeout=int(settings.LIVEKIT_VOICE_EMPTY_TIMEOUT),
        agent_name=settings.LIVEKIT_AGENT_NAME,
        agent_metadata={"user_id": user.pk, "session_id": session.pk},
    )
    payload = _token_payload(
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
