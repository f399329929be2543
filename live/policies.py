"""Who may see and do what with streams, meetings, voice rooms and live chat.

Used by the API, the chat consumer and the admin alike. Hidden and unknown rooms look the
same to a caller (404 / refused socket); a visible room the caller may not control is 403.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.policies import is_moderator
from live.models import LiveStream, MeetingInvite, StreamKind, StreamStatus


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def stream_visibility_q(user) -> Q:
    """Public, not cancelled streams for everyone; all of their own for hosts."""
    public = Q(is_public=True) & ~Q(status=StreamStatus.CANCELLED)
    if _signed_in(user):
        return public | Q(host_id=user.pk)
    return public


def streams_visible_to(user, queryset: QuerySet) -> QuerySet:
    queryset = queryset.filter(kind=StreamKind.STREAM)
    if is_moderator(user):
        return queryset
    return queryset.filter(stream_visibility_q(user))


def can_view_stream(user, stream: LiveStream) -> bool:
    if stream.kind != StreamKind.STREAM:
        return False
    if is_moderator(user) or (_signed_in(user) and stream.host_id == user.pk):
        return True
    return stream.is_public and stream.status != StreamStatus.CANCELLED


def can_control_stream(user, stream: LiveStream) -> bool:
    """Start, end, record: the host or a moderator."""
    return _signed_in(user) and (stream.host_id == user.pk or is_moderator(user))


def can_moderate_chat(user, stream: LiveStream) -> bool:
    """Delete messages and mute users: the host or a moderator."""
    return can_control_stream(user, stream)


def meetings_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Meetings a user hosts or is invited to; moderators see all."""
    queryset = queryset.filter(kind=StreamKind.MEETING)
    if is_moderator(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    invited = MeetingInvite.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
    return queryset.filter(Q(host_id=user.pk) | Exists(invited))


def is_invited(user, meeting: LiveStream) -> bool:
    return (
        _signed_in(user) and MeetingInvite.objects.filter(meeting=meeting, user_id=user.pk).exists()
    )


def can_manage_meeting(user, meeting: LiveStream) -> bool:
    """Invite, list, remove or mute participants, end the meeting: the host or a moderator."""
    return _signed_in(user) and (meeting.host_id == user.pk or is_moderator(user))


def can_use_voice_session(user, session: LiveStream) -> bool:
    """A voice-assistant room is personal."""
    return (
        _signed_in(user) and session.kind == StreamKind.VOICE_AGENT and session.host_id == user.pk
    )
