"""Writes for the content of the catalogue's kinds: publish, edit and delete an item.

Status changes go through catalog/moderation.py; fields another app stores (a podcast's
scripture reference) through the writer it registered in catalog/kinds.py."""

from django.db import transaction
from django.db.models import Model

from catalog import kinds, moderation, selectors
from catalog.lexicon import lexicon_add_content
from catalog.models import (
    Artist,
    Category,
    Movie,
    MusicTrack,
    Podcast,
)
from catalog.services.artists import artist_get_or_create_for_user
from catalog.transcripts import content_transcript_request
from cnt.models import ModerationStatus
from media.models import AssetKind, MediaAsset
from media.selectors import asset_get_usable_for_owner

# The type-specific writable fields of each catalogue model.
CONTENT_DETAIL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Podcast: ("scripture_reference",),
    Movie: ("release_year", "director", "cast"),
    MusicTrack: ("album", "genre", "lyrics"),
}
_COMMON_FIELDS = ("title", "description", "category", "tags")


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
        content_transcript_request(obj=obj)
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
            content_transcript_request(obj=locked)
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
