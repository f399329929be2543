"""Writes for meetings: invitations, passcodes, tokens, participants, ending."""

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
from live import livekit, policies
from live.livekit import TokenRole
from live.models import (
    LiveRestriction,
    LiveStream,
    MeetingInvite,
    RestrictionKind,
    StreamKind,
    StreamStatus,
)
from live.services.rooms import (
    MAX_INVITES,
    PASSCODE_WINDOW_SECONDS,
    room_close,
    room_finish,
    room_name_new,
    token_payload,
)


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
            room_name=room_name_new(StreamKind.MEETING),
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
    return token_payload(
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
    room_close(meeting)
    return room_finish(meeting, at=timezone.now())
