"""Writes for the content of the catalogue's kinds: publish, edit and delete an item.

Status changes go through catalog/moderation.py; fields another app stores (a podcast's
scripture reference) through the writer it registered in catalog/kinds.py."""

from django.db import transaction
from django.db.models import Model

from accounts.policies import is_moderator
from catalog import kinds, moderation, policies, selectors
from catalog.lexicon import lexicon_add_content
from catalog.models import (
    Category,
    Movie,
    MusicTrack,
    Podcast,
)
from catalog.services.artists import artist_get_or_create_for_user
from catalog.transcripts import content_transcript_request
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from media.models import AssetKind, MediaAsset
from media.selectors import asset_get_usable_for_owner

# The type-specific writable fields of each catalogue model.
CONTENT_DETAIL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Podcast: (
        "scripture_reference",
        "is_explicit",
        "transcript_url",
        "transcript_format",
        "chapters_url",
    ),
    Movie: ("release_year", "director", "cast"),
    MusicTrack: ("album", "genre", "lyrics"),
}
_COMMON_FIELDS = ("title", "description", "category", "tags", "language")


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


def _check_transcript(obj) -> None:
    """A podcast's transcript link needs its format (the feed announces both); removing the
    link removes the format."""
    if not isinstance(obj, Podcast):
        return
    if not obj.transcript_url:
        obj.transcript_format = ""
    elif not obj.transcript_format:
        raise InvalidInput(
            errors={"transcript_format": ["Give the format of the file at transcript_url."]}
        )


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
        _check_transcript(obj)
        _set_media(obj, asset)
        _set_cover(obj, cover)
        obj.save()
        _field_writers_apply(obj, details)
        moderation.content_submit(
            content_type=kinds.kind_for(obj).name, obj=obj, trusted=artist.is_trusted
        )
        content_transcript_request(obj=obj)
    return obj


def _normalised(kind, field: str, value):
    if field == "tags":
        return list(value)
    normalise = kinds.kind_field_normaliser(kind.name, field)
    return normalise(value=value) if normalise else value


def _split_reviewed_text(locked, changes: dict, trusted: bool) -> tuple[dict, dict, set]:
    """(changes applied now, text that waits for review, fields set back to the public text).

    Only an untrusted owner's changes to approved content's public text wait; the rest
    applies at once."""
    kind = kinds.kind_for(locked)
    if trusted or locked.status != ModerationStatus.APPROVED:
        return changes, {}, set()
    direct, waiting, reverted = {}, {}, set()
    for field, value in changes.items():
        if field not in kind.reviewed_text_fields:
            direct[field] = value
            continue
        value = _normalised(kind, field, value)
        if value == getattr(locked, field):
            reverted.add(field)
        else:
            waiting[field] = value
    return direct, waiting, reverted


def content_update(*, obj, user, **changes):
    """Change an item's fields. A new media asset or cover on approved content sends it back
    to review unless the artist is trusted; on rejected content it always does (a
    moderator's rejection is lifted only by a moderator).

    An untrusted owner's change to approved content's public text (the kind's
    `reviewed_text_fields`: title, description, tags, lyrics, scripture reference, ...) does
    not change the item: it waits for a moderator as the item's pending edit, and the
    approved text stays public and searchable meanwhile (catalog/moderation.py)."""
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
    trusted = policies.publishes_without_review(user)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        kind_name = kinds.kind_for(locked).name
        direct, waiting, reverted = _split_reviewed_text(locked, changes, trusted)
        media_changed = False
        if asset is not None and asset.pk != getattr(selectors.primary_asset(locked), "pk", None):
            _set_media(locked, asset)
            media_changed = True
        if has_cover and getattr(cover, "pk", None) != locked.thumbnail_id:
            _set_cover(locked, cover)
            media_changed = True
        for field, value in direct.items():
            setattr(locked, field, list(value) if field == "tags" else value)
        _check_transcript(locked)
        if direct or media_changed:
            locked.save()
        # Text written now, or set back to the public text, is no longer waiting.
        moderation.content_edit_withdraw(
            content_type=kind_name, obj=locked, fields={*direct, *reverted}
        )
        moderation.content_edit_submit(
            content_type=kind_name, obj=locked, owner=user, changes=waiting
        )
        if media_changed:
            moderation.content_return_to_review(content_type=kind_name, obj=locked, trusted=trusted)
            content_transcript_request(obj=locked)
        _field_writers_apply(locked, direct)
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


def content_asset_replace(*, obj, field: str, asset: MediaAsset, moderator):
    """A moderator puts a new file on an item of any kind from the admin: a media field
    (the asset goes to the field that takes its kind, the others are cleared, the duration
    follows and a spoken-word item gets a transcript) or an image field (a cover). The old
    asset is kept (originals are never lost). A moderator's change needs no second review,
    so the status stays as it is. Raises Forbidden for anyone else and InvalidInput for a
    field the kind does not have or an asset of the wrong kind; nothing changes then."""
    if not is_moderator(moderator):
        raise Forbidden("Moderators only.")
    kind = kinds.kind_for(obj)
    accepted = dict(kind.media_fields)
    if field in kind.image_fields:
        accepted[field] = (AssetKind.IMAGE,)
    if field not in accepted:
        raise InvalidInput(errors={"field": [f"A {kind.label.lower()} has no file “{field}”."]})
    if asset.kind not in accepted[field]:
        raise InvalidInput(errors={"file": [f"“{field}” takes {' or '.join(accepted[field])}."]})
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        if field in kind.image_fields:
            setattr(locked, field, asset)
        else:
            for name, kinds_taken in kind.media_fields:
                setattr(locked, name, asset if asset.kind in kinds_taken else None)
            if hasattr(locked, "duration_seconds"):
                locked.duration_seconds = round(asset.duration_seconds or 0)
        locked.save()
        if field not in kind.image_fields:
            content_transcript_request(obj=locked)
    return locked
