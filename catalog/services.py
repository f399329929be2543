"""Writes for the catalogue: content, categories, artists and follows, playlists, plays.

Rules that guard against races live here: counters are recomputed or moved with F() under a
row lock (select_for_update), never read-modify-written from Python state; playlist
positions are rewritten through a temporary range because their unique constraint is not
deferrable.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Max, Model, Value, When
from django.utils import timezone
from django.utils.text import slugify

from catalog import kinds, moderation, policies, read_cache, selectors
from catalog.lexicon import lexicon_add, lexicon_add_content
from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    Movie,
    MusicTrack,
    PlaybackProgress,
    PlayEvent,
    Playlist,
    PlaylistItem,
    Podcast,
)
from cnt.errors import Conflict, InvalidInput, NotFound
from cnt.models import ModerationStatus
from media.models import AssetKind, MediaAsset
from media.selectors import asset_get_usable_for_owner

MAX_PLAYLIST_ITEMS = 1000
# Positions are moved here and back when renumbering; above any real position.
_POSITION_OFFSET = 1_000_000

PLAY_THRESHOLD_SECONDS = 30
PLAY_COUNT_WINDOW = timedelta(hours=1)
POSITION_TOLERANCE_SECONDS = 5

# The type-specific writable fields of each catalogue model.
CONTENT_DETAIL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Podcast: ("scripture_reference",),
    Movie: ("release_year", "director", "cast"),
    MusicTrack: ("album", "genre", "lyrics"),
}
_COMMON_FIELDS = ("title", "description", "category", "tags")


class CannotFollowSelf(InvalidInput):
    default_detail = "You cannot follow your own artist profile."
    default_code = "cannot_follow_self"


class PlaylistFull(InvalidInput):
    default_detail = f"A playlist holds at most {MAX_PLAYLIST_ITEMS} items."
    default_code = "playlist_full"


# --- artists -------------------------------------------------------------------------------


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
        _, created = ArtistFollower.objects.get_or_create(artist_id=artist.pk, user=user)
        count = _set_followers_count(artist.pk)
        if created:
            from cnt.notifications.models import NotificationType
            from cnt.notifications.services import notification_create

            notification_create(
                recipient=artist.user_id,
                actor=user,
                type=NotificationType.FOLLOW,
                title=f"{user.get_full_name()} started following you",
                data={"artist_id": artist.pk, "user_id": user.pk},
            )
    return created, count


def artist_unfollow(*, artist: Artist, user) -> int:
    """Stop following (idempotent). Returns the exact followers count."""
    with transaction.atomic():
        Artist.objects.select_for_update().filter(pk=artist.pk).values_list("pk").get()
        ArtistFollower.objects.filter(artist_id=artist.pk, user=user).delete()
        return _set_followers_count(artist.pk)


def _set_followers_count(artist_id: int) -> int:
    """Recount under the artist's row lock: exact, and it heals any drift (followers removed
    by account deletion) on the next follow or unfollow."""
    count = ArtistFollower.objects.filter(artist_id=artist_id).count()
    Artist.objects.filter(pk=artist_id).update(followers_count=count)
    return count


# --- content -------------------------------------------------------------------------------


def _set_media(obj, asset: MediaAsset) -> None:
    """The asset goes in the media field that takes its kind; the others are cleared."""
    for field, accepted in kinds.kind_for(obj).media_fields:
        setattr(obj, field, asset if asset.kind in accepted else None)
    obj.duration_seconds = round(asset.duration_seconds or 0)


def _set_cover(obj, cover: MediaAsset | None) -> None:
    for field in kinds.kind_for(obj).image_fields:
        setattr(obj, field, cover)


def _field_writers_apply(obj, fields) -> None:
    """Fields another app keeps in its own tables (a podcast's `scripture_reference`, which
    the Bible app stores as verse ranges) go through the writer it registered; the writer
    returns the value to store (normalised) or raises for text it refuses, and the caller's
    transaction undoes the rest."""
    kind = kinds.kind_for(obj)
    changed = []
    for field, value in fields.items():
        writer = kinds.kind_field_writer(kind.name, field)
        if writer is None:
            continue
        stored = writer(obj=obj, value=value)
        if stored != getattr(obj, field):
            setattr(obj, field, stored)
            changed.append(field)
    if changed:
        obj.save(update_fields=[*changed, "updated_at"])


def _check_fields(model: type[Model], fields) -> None:
    allowed = {*_COMMON_FIELDS, *CONTENT_DETAIL_FIELDS[model]}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{model.__name__} has no writable fields {sorted(unknown)}")


def content_create(
    *,
    model: type[Model],
    user,
    title: str,
    asset_id,
    cover_id=None,
    description: str = "",
    category: Category | None = None,
    tags: list[str] | None = None,
    **details,
):
    """Publish a podcast, movie or music track from the caller's uploaded assets.

    Creates the caller's artist profile on first publish. The item waits for review
    (`pending`) unless the artist is trusted, in which case it is approved at once.
    """
    _check_fields(model, details)
    asset = asset_get_usable_for_owner(
        user=user, asset_id=asset_id, kinds=kinds.kind_for(model).asset_kinds, field="asset"
    )
    cover = None
    if cover_id is not None:
        cover = asset_get_usable_for_owner(
            user=user, asset_id=cover_id, kinds=(AssetKind.IMAGE,), field="cover"
        )
    with transaction.atomic():
        artist = artist_get_or_create_for_user(user=user)
        obj = model(
            owner=user,
            artist=artist,
            title=title,
            description=description,
            category=category,
            tags=list(tags or []),
            **details,
        )
        _set_media(obj, asset)
        _set_cover(obj, cover)
        obj.save()
        _field_writers_apply(obj, details)
        moderation.content_submit(
            content_type=kinds.kind_for(obj).name, obj=obj, trusted=artist.is_trusted
        )
    return obj


def content_update(*, obj, user, **changes):
    """Change an item's fields. A new media asset or cover on approved content sends it back
    to review unless the artist is trusted; on rejected content it always does (a
    moderator's rejection is lifted only by a moderator)."""
    model = type(obj)
    asset_id = changes.pop("asset_id", None)
    has_cover = "cover_id" in changes
    cover_id = changes.pop("cover_id", None)
    _check_fields(model, changes)
    asset = cover = None
    if asset_id is not None:
        asset = asset_get_usable_for_owner(
            user=user, asset_id=asset_id, kinds=kinds.kind_for(model).asset_kinds, field="asset"
        )
    if has_cover and cover_id is not None:
        cover = asset_get_usable_for_owner(
            user=user, asset_id=cover_id, kinds=(AssetKind.IMAGE,), field="cover"
        )
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        media_changed = False
        if asset is not None and asset.pk != getattr(selectors.primary_asset(locked), "pk", None):
            _set_media(locked, asset)
            media_changed = True
        if has_cover and getattr(cover, "pk", None) != locked.thumbnail_id:
            _set_cover(locked, cover)
            media_changed = True
        for field, value in changes.items():
            setattr(locked, field, list(value) if field == "tags" else value)
        locked.save()
        if media_changed:
            trusted = Artist.objects.filter(user_id=locked.owner_id, is_trusted=True).exists()
            moderation.content_return_to_review(
                content_type=kinds.kind_for(locked).name, obj=locked, trusted=trusted
            )
        _field_writers_apply(locked, changes)
        if locked.status == ModerationStatus.APPROVED:
            lexicon_add_content(locked)
    return locked


def content_delete(*, obj) -> None:
    """Delete an item. Its playlist entries, playback positions and whatever other apps keep
    about it go with it (catalog/receivers.py, and their own receivers)."""
    model = type(obj)
    with transaction.atomic():
        model.objects.select_for_update().filter(pk=obj.pk).values_list("pk").first()
        obj.delete()


def content_references_forget(*, content_type: str, object_id: int) -> None:
    """A deleted item leaves no playlist entry (the gaps are closed) and no playback
    position behind. Locks the playlists in id order, as playlist_item_add does."""
    with transaction.atomic():
        entries = PlaylistItem.objects.filter(content_type=content_type, object_id=object_id)
        playlist_ids = sorted(set(entries.values_list("playlist_id", flat=True)))
        for playlist_id in playlist_ids:
            Playlist.objects.select_for_update().filter(pk=playlist_id).values_list("pk").first()
        entries.delete()
        for playlist_id in playlist_ids:
            _renumber(playlist_id, _ordered_item_ids(playlist_id))
        PlaybackProgress.objects.filter(content_type=content_type, object_id=object_id).delete()


# --- categories ----------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100]
    if not base:
        raise InvalidInput(
            errors={"slug": ["The name has no letters to build a slug from; give one."]}
        )
    slug, n = base, 2
    while Category.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def category_create(*, name: str, slug: str = "", **fields) -> Category:
    """A new category; the slug is derived from the name when not given."""
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug or _unique_slug(name), **fields)
    except IntegrityError:
        raise InvalidInput(errors={"slug": ["A category with this slug already exists."]})


def category_update(*, category: Category, **changes) -> Category:
    for field, value in changes.items():
        setattr(category, field, value)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise InvalidInput(errors={"slug": ["A category with this slug already exists."]})
    return category


def category_delete(*, category: Category) -> None:
    """Content in the category stays, uncategorised."""
    category.delete()


# --- playlists -----------------------------------------------------------------------------


def _playlist_cover(*, user, cover_id) -> MediaAsset | None:
    if cover_id is None:
        return None
    return asset_get_usable_for_owner(
        user=user, asset_id=cover_id, kinds=(AssetKind.IMAGE,), field="cover"
    )


def playlist_create(
    *, user, name: str, description: str = "", is_public: bool = False, cover_id=None
) -> Playlist:
    cover = _playlist_cover(user=user, cover_id=cover_id)
    return Playlist.objects.create(
        owner=user, name=name, description=description, is_public=is_public, cover_image=cover
    )


def playlist_update(*, playlist: Playlist, user, **changes) -> Playlist:
    if "cover_id" in changes:
        playlist.cover_image = _playlist_cover(user=user, cover_id=changes.pop("cover_id"))
    for field, value in changes.items():
        setattr(playlist, field, value)
    playlist.save()
    return playlist


def playlist_delete(*, playlist: Playlist) -> None:
    playlist.delete()


def _ordered_item_ids(playlist_id: int) -> list[int]:
    return list(
        PlaylistItem.objects.filter(playlist_id=playlist_id)
        .order_by("position")
        .values_list("id", flat=True)
    )


def _renumber(playlist_id: int, ordered_ids: list[int]) -> None:
    """Give the items positions 0..n-1 in `ordered_ids` order and store the exact count.

    The (playlist, position) constraint is checked row by row, so the items first move to
    a range no current position occupies, then each lands on its final place."""
    items = PlaylistItem.objects.filter(playlist_id=playlist_id)
    if ordered_ids:
        items.update(position=F("position") + _POSITION_OFFSET)
        items.update(
            position=Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(ordered_ids)))
        )
    Playlist.objects.filter(pk=playlist_id).update(
        items_count=len(ordered_ids), updated_at=timezone.now()
    )


def playlist_item_add(*, playlist: Playlist, user, item_type: str, item_id: int) -> PlaylistItem:
    """Append an item the caller can see. Unknown and hidden items get the same 400; an item
    already in the playlist is a 409 `duplicate_item`."""
    model = kinds.kind_get(item_type).model
    with transaction.atomic():
        # Content first, then the playlist: the order content_delete locks them in.
        content = (
            policies.visible_to(user, model.objects.select_for_update()).filter(pk=item_id).first()
        )
        if content is None:
            raise InvalidInput(errors={"id": [f"No {item_type} with this id."]})
        Playlist.objects.select_for_update().filter(pk=playlist.pk).values_list("pk").get()
        items = PlaylistItem.objects.filter(playlist_id=playlist.pk)
        if items.filter(content_type=item_type, object_id=content.pk).exists():
            raise Conflict("This item is already in the playlist.", code="duplicate_item")
        stats = items.aggregate(count=Count("id"), last=Max("position"))
        if stats["count"] >= MAX_PLAYLIST_ITEMS:
            raise PlaylistFull()
        position = 0 if stats["last"] is None else stats["last"] + 1
        item = PlaylistItem.objects.create(
            playlist_id=playlist.pk,
            position=position,
            content_type=item_type,
            object_id=content.pk,
        )
        Playlist.objects.filter(pk=playlist.pk).update(
            items_count=stats["count"] + 1, updated_at=timezone.now()
        )
    item.target = content
    return item


def playlist_item_remove(*, playlist: Playlist, item_id: int) -> None:
    """Remove one item and close the gap it leaves."""
    with transaction.atomic():
        Playlist.objects.select_for_update().filter(pk=playlist.pk).values_list("pk").get()
        deleted, _ = PlaylistItem.objects.filter(playlist_id=playlist.pk, pk=item_id).delete()
        if not deleted:
            raise NotFound()
        _renumber(playlist.pk, _ordered_item_ids(playlist.pk))


def playlist_reorder(*, playlist: Playlist, user, item_ids: list[int]) -> None:
    """Put the items in the order given. `item_ids` lists every item the caller sees, once;
    items whose content has become hidden from them keep their relative order at the end."""
    with transaction.atomic():
        Playlist.objects.select_for_update().filter(pk=playlist.pk).values_list("pk").get()
        visible = selectors.playlist_item_ids_for_user(user=user, playlist=playlist)
        if len(set(item_ids)) != len(item_ids) or set(item_ids) != set(visible):
            raise InvalidInput(
                errors={"item_ids": ["List the id of every item of the playlist exactly once."]}
            )
        shown = set(visible)
        hidden = [pk for pk in _ordered_item_ids(playlist.pk) if pk not in shown]
        _renumber(playlist.pk, [*item_ids, *hidden])


# --- playback ------------------------------------------------------------------------------


def _play_threshold(duration: float) -> float:
    """30 seconds, or the end (less a second) of an item shorter than that."""
    if duration and duration <= PLAY_THRESHOLD_SECONDS:
        return max(duration - 1, 0)
    return PLAY_THRESHOLD_SECONDS


def _is_completed(position: float, duration: float) -> bool:
    return bool(duration) and position >= min(duration - 1, duration * 0.95)


def playback_progress_record(
    *, user, obj, position: float, duration: float | None = None
) -> tuple[PlaybackProgress, bool, int]:
    """Store where the user is in an item and count a play when they pass the threshold,
    at most once per user and item per hour.

    Returns (progress, counted, plays_count). The progress row is locked while deciding, so
    concurrent reports from the same listener count once.
    """
    known = selectors.content_duration(obj)
    length = known or duration or 0
    if length and position > length + POSITION_TOLERANCE_SECONDS:
        raise InvalidInput(errors={"position": [f"Must not exceed the duration ({length:g} s)."]})
    model = type(obj)
    item_type = selectors.type_of(model)
    now = timezone.now()
    with transaction.atomic():
        progress, _ = PlaybackProgress.objects.select_for_update().get_or_create(
            user=user, content_type=item_type, object_id=obj.pk
        )
        progress.position_seconds = position
        progress.duration_seconds = length
        progress.is_completed = _is_completed(position, length)
        counted = (
            policies.counts_as_public_play(obj)
            and position > 0
            and position >= _play_threshold(length)
            and (
                progress.last_counted_at is None
                or now - progress.last_counted_at >= PLAY_COUNT_WINDOW
            )
        )
        if counted:
            progress.last_counted_at = now
            PlayEvent.objects.create(user=user, content_type=item_type, object_id=obj.pk)
            model.objects.filter(pk=obj.pk).update(play_count=F("play_count") + 1)
            read_cache.detail_forget(model=model, pk=obj.pk)
        progress.save()
        plays = model.objects.filter(pk=obj.pk).values_list("play_count", flat=True).get()
    return progress, counted, plays


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
        title=f"New from {item.artist.name}: {item.title}",
        data={"content_type": content_type, "id": object_id},
    )
