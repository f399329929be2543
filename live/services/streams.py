"""Writes for live streams: schedule, start, end, tokens, telling followers."""

from django.db import transaction
from django.utils import timezone

from cnt.errors import Conflict
from live import chat
from live.livekit import TokenRole
from live.models import (
    LiveStream,
    StreamKind,
    StreamStatus,
)
from live.services.rooms import (
    EVENT_STREAM_STARTED,
    cover_asset,
    display_name_of,
    room_close,
    room_finish,
    room_name_new,
    stream_locked,
    token_payload,
)


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
    cover = cover_asset(user=host, cover_id=cover_id)
    return LiveStream.objects.create(
        host=host,
        kind=StreamKind.STREAM,
        title=title,
        description=description,
        room_name=room_name_new(StreamKind.STREAM),
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
        locked = stream_locked(stream)
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
        room_close(stream)
    return room_finish(stream, at=timezone.now())


def stream_token(*, stream: LiveStream, user) -> dict:
    """A join token: the host publishes (also before going live, to get ready); everyone
    else watches a live stream and cannot publish."""
    if stream.host_id == user.pk:
        if stream.status not in (StreamStatus.SCHEDULED, StreamStatus.LIVE):
            raise Conflict(f"The stream is {stream.status}.")
        return token_payload(stream=stream, user=user, role=TokenRole.HOST)
    if stream.status != StreamStatus.LIVE:
        raise Conflict(f"The stream is {stream.status}, not live.")
    return token_payload(stream=stream, user=user, role=TokenRole.VIEWER)


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
            title=f"{display_name_of(stream.host)} is live: {stream.title}",
            message=stream.description[:280],
            data={"stream_id": stream.pk, "host_id": stream.host_id},
            actor=stream.host_id,
        )
