"""Who may see and change catalogue content, categories, artists and playlists.

The one home of these rules: the API, the admin and the services all ask here. Anything a
user may not see is "not found" to them (callers answer 404, never 403), so existence never
leaks; 403 is only for things the user can see but may not change.
"""

from django.db.models import Q, QuerySet

from accounts import policies as account_policies
from cnt.models import ModerationStatus

_MODERATOR_CACHE = "_catalog_is_moderator"


def _is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_moderator(user) -> bool:
    """accounts.policies.is_moderator, remembered on the user object: it costs queries and
    list endpoints ask once per row."""
    if not _is_authenticated(user):
        return False
    cached = getattr(user, _MODERATOR_CACHE, None)
    if cached is None:
        cached = account_policies.is_moderator(user)
        setattr(user, _MODERATOR_CACHE, cached)
    return cached


def sees_all_content(user) -> bool:
    """Moderators see every item in every state (and its moderation details)."""
    return is_moderator(user)


def content_visibility_q(user) -> Q:
    """Rows of moderated content (anything with `status` and `owner`) the user may see:
    approved for everyone, their own in every state, everything for moderators."""
    if is_moderator(user):
        return Q()
    approved = Q(status=ModerationStatus.APPROVED)
    if _is_authenticated(user):
        return approved | Q(owner_id=user.pk)
    return approved


def visible_to(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(content_visibility_q(user))


def can_view_content(user, obj) -> bool:
    if obj.status == ModerationStatus.APPROVED:
        return True
    return _is_authenticated(user) and (obj.owner_id == user.pk or is_moderator(user))


def can_edit_content(user, obj) -> bool:
    """Only the owner edits or deletes; moderators act through approve/reject instead."""
    return _is_authenticated(user) and obj.owner_id == user.pk


def can_edit_captions(user, obj) -> bool:
    """Captions are corrected by the item's owner or by a moderator (accessibility fixes
    need no new review)."""
    return _is_authenticated(user) and (obj.owner_id == user.pk or is_moderator(user))


def publishes_without_review(user) -> bool:
    """Moderators and staff, and trusted artists, change their approved content's public
    text at once; anyone else's change waits for a moderator as a pending edit."""
    if is_moderator(user):
        return True
    from catalog.models import Artist

    return (
        _is_authenticated(user) and Artist.objects.filter(user_id=user.pk, is_trusted=True).exists()
    )


def can_see_moderation_details(user, obj) -> bool:
    """The rejection reason is for the owner and moderators only."""
    return _is_authenticated(user) and (obj.owner_id == user.pk or is_moderator(user))


def can_manage_categories(user) -> bool:
    return is_moderator(user)


def can_see_inactive_categories(user) -> bool:
    return is_moderator(user)


def can_follow_artist(user, artist) -> bool:
    """Anyone signed in follows any artist except their own profile."""
    return _is_authenticated(user) and artist.user_id != user.pk


def playlist_visibility_q(user) -> Q:
    """Public playlists and the user's own. Private playlists stay private, even to
    moderators: they hold no moderated content of their own."""
    if _is_authenticated(user):
        return Q(is_public=True) | Q(owner_id=user.pk)
    return Q(is_public=True)


def can_view_playlist(user, playlist) -> bool:
    return playlist.is_public or (_is_authenticated(user) and playlist.owner_id == user.pk)


def can_edit_playlist(user, playlist) -> bool:
    return _is_authenticated(user) and playlist.owner_id == user.pk


def counts_as_public_play(obj) -> bool:
    """Plays are counted only on approved content (not on owners' or moderators' previews)."""
    return obj.status == ModerationStatus.APPROVED
