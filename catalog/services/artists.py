"""Writes for artists: profiles, follows with exact counters, and telling followers of news.

Counters are recomputed under the artist's row lock (select_for_update), never
read-modify-written from Python state."""

import hashlib
import json

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalog import policies
from catalog.lexicon import lexicon_add
from catalog.models import (
    Artist,
    ArtistFollower,
)
from catalog.recommendations.cache import listener_lists_forget
from cnt.errors import InvalidInput
from cnt.models import ModerationStatus


class CannotFollowSelf(InvalidInput):
    default_detail = _("You cannot follow your own artist profile.")
    default_code = "cannot_follow_self"


def artist_get_or_create_for_user(*, user) -> Artist:
    """The user's artist profile, created the first time they publish (safe under races:
    the one-to-one constraint decides, get_or_create re-reads)."""
    artist, created = Artist.objects.get_or_create(
        user=user, defaults={"name": (user.display_name or user.username)[:150]}
    )
    if created:
        lexicon_add(artist.name)
    return artist


def artist_follow(*, artist: Artist, user) -> tuple[bool, int]:
    """Follow (idempotent). Returns (newly followed, exact followers count). The artist row
    is locked, so concurrent follows and unfollows apply one at a time."""
    if not policies.can_follow_artist(user, artist):
        raise CannotFollowSelf()
    with transaction.atomic():
        Artist.objects.select_for_update().filter(pk=artist.pk).values_list("pk").get()
        _follower, created = ArtistFollower.objects.get_or_create(artist_id=artist.pk, user=user)
        count = _set_followers_count(artist.pk)
        if created:
            from cnt.notifications.models import NotificationType
            from cnt.notifications.services import notification_create

            notification_create(
                recipient=artist.user_id,
                actor=user,
                type=NotificationType.FOLLOW,
                title=format_lazy(_("{name} started following you"), name=user.get_full_name()),
                data={"artist_id": artist.pk, "user_id": user.pk},
            )
    return created, count


def artist_unfollow(*, artist: Artist, user) -> int:
    """Stop following (idempotent). Returns the exact followers count. The listener's cached
    recommendations go (their follows are part of them)."""
    with transaction.atomic():
        Artist.objects.select_for_update().filter(pk=artist.pk).values_list("pk").get()
        ArtistFollower.objects.filter(artist_id=artist.pk, user=user).delete()
        listener_lists_forget(user_id=user.pk)
        return _set_followers_count(artist.pk)


def _set_followers_count(artist_id: int) -> int:
    """Recount under the artist's row lock: exact, and it heals any drift (followers removed
    by account deletion) on the next follow or unfollow."""
    count = ArtistFollower.objects.filter(artist_id=artist_id).count()
    Artist.objects.filter(pk=artist_id).update(followers_count=count)
    return count


def artist_followers_notify(
    *, artist_id: int, type: str, title: str, message: str = "", data: dict, actor=None
) -> int:
    """Notify an artist's active followers (never the artist's own account) of one event,
    e.g. new content or a live stream. Once per (artist, type, data): a retried task sends
    nothing new. Returns how many followers were notified."""
    from cnt.notifications.services import notification_fanout

    artist_user_id = Artist.objects.filter(pk=artist_id).values_list("user_id", flat=True).first()
    if artist_user_id is None:
        return 0
    follower_ids = (
        ArtistFollower.objects.filter(artist_id=artist_id, user__is_active=True)
        .exclude(user_id=artist_user_id)
        .values_list("user_id", flat=True)
    )
    event = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    key = f"artist:{artist_id}:{type}:{event}"
    if len(key) > 255:
        key = f"artist:{artist_id}:{type}:sha256:{hashlib.sha256(event.encode()).hexdigest()}"
    return notification_fanout(
        recipient_ids=follower_ids,
        type=type,
        title=title,
        message=message,
        data=data,
        actor=actor,
        key=key,
    )


def content_notify_followers(*, content_type: str, object_id: int) -> int:
    """Tell the followers of an approved item's artist that it is out; a rerun sends nothing
    new."""
    from catalog.moderation import model_for
    from cnt.notifications.models import NotificationType

    item = model_for(content_type).objects.select_related("artist").filter(pk=object_id).first()
    if item is None or item.artist is None or item.status != ModerationStatus.APPROVED:
        return 0
    return artist_followers_notify(
        artist_id=item.artist_id,
        type=NotificationType.NEW_CONTENT,
        title=format_lazy(
            _("New from {artist}: {title}"), artist=item.artist.name, title=item.title
        ),
        data={"content_type": content_type, "id": object_id},
    )
