"""Reads for streams, meetings, voice rooms and chat. `*_get_for_user` fetch and authorize
in one call and answer 404 alike for what is hidden and what does not exist."""

from django.db.models import QuerySet
from django.http import Http404

from live import policies
from live.models import (
    LiveChatMessage,
    LiveStream,
    StreamKind,
    StreamStatus,
)


class StreamState:
    LIVE = "live"
    UPCOMING = "upcoming"
    PAST = "past"
    CHOICES = [(LIVE, "Live now"), (UPCOMING, "Upcoming"), (PAST, "Past")]


def _base() -> QuerySet[LiveStream]:
    return LiveStream.objects.select_related("host", "thumbnail")


def stream_list(
    *, user, state: str | None = None, host_id: int | None = None, mine: bool = False
) -> QuerySet[LiveStream]:
    """Streams the user may see. `live`: on air, newest start first; `upcoming`: scheduled,
    soonest first; `past`: ended, most recently ended first; none: newest created first."""
    queryset = policies.streams_visible_to(user, _base())
    if mine:
        queryset = queryset.filter(host_id=user.pk) if user.is_authenticated else queryset.none()
    if host_id is not None:
        queryset = queryset.filter(host_id=host_id)
    if state == StreamState.LIVE:
        return queryset.filter(status=StreamStatus.LIVE).order_by("-started_at", "-id")
    if state == StreamState.UPCOMING:
        return queryset.filter(status=StreamStatus.SCHEDULED).order_by("scheduled_start", "id")
    if state == StreamState.PAST:
        return queryset.filter(status=StreamStatus.ENDED).order_by("-ended_at", "-id")
    return queryset.order_by("-created_at", "-id")


def stream_get_for_user(*, user, pk) -> LiveStream:
    stream = _base().filter(pk=pk, kind=StreamKind.STREAM).first()
    if stream is None or not policies.can_view_stream(user, stream):
        raise Http404
    return stream


def meeting_list(*, user) -> QuerySet[LiveStream]:
    return policies.meetings_visible_to(user, _base()).order_by("-created_at", "-id")


def meeting_get_for_user(*, user, pk) -> LiveStream:
    meeting = policies.meetings_visible_to(user, _base()).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def meeting_get_by_id(*, pk) -> LiveStream:
    """A meeting by id alone, for passcode holders (who are not invited); the caller checks
    the passcode and answers 404 for a wrong one."""
    meeting = _base().filter(pk=pk, kind=StreamKind.MEETING).first()
    if meeting is None:
        raise Http404
    return meeting


def voice_session_get_for_user(*, user, pk) -> LiveStream:
    session = _base().filter(pk=pk, kind=StreamKind.VOICE_AGENT).first()
    if session is None or not policies.can_use_voice_session(user, session):
        raise Http404
    return session


def chat_history(
    *, stream: LiveStream, limit: int, before: int | None = None
) -> list[LiveChatMessage]:
    """The newest `limit` visible messages (older than `before`), oldest first."""
    queryset = LiveChatMessage.objects.filter(stream=stream, is_deleted=False).select_related(
        "user"
    )
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    return list(reversed(queryset.order_by("-id")[:limit]))
