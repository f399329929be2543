"""Writes for playlists and their items, and the references a deleted item leaves behind.

Positions are rewritten through a temporary range because their unique constraint is not
deferrable; playlists are locked in id order, after the content they take."""

from django.db import transaction
from django.db.models import Case, Count, F, Max, Value, When
from django.utils import timezone

from catalog import kinds, policies, selectors
from catalog.models import (
    PendingEdit,
    PlaybackProgress,
    Playlist,
    PlaylistItem,
)
from cnt.errors import Conflict, InvalidInput, NotFound
from media.models import AssetKind, MediaAsset
from media.selectors import asset_get_usable_for_owner

MAX_PLAYLIST_ITEMS = 1000
# Positions are moved here and back when renumbering; above any real position.
_POSITION_OFFSET = 1_000_000


class PlaylistFull(InvalidInput):
    default_detail = f"A playlist holds at most {MAX_PLAYLIST_ITEMS} items."
    default_code = "playlist_full"


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


def content_references_forget(*, content_type: str, object_id: int) -> None:
    """A deleted item leaves no playlist entry (the gaps are closed), no playback position
    and no edit waiting for review behind. Locks the playlists in id order, as
    playlist_item_add does."""
    with transaction.atomic():
        entries = PlaylistItem.objects.filter(content_type=content_type, object_id=object_id)
        playlist_ids = sorted(set(entries.values_list("playlist_id", flat=True)))
        for playlist_id in playlist_ids:
            Playlist.objects.select_for_update().filter(pk=playlist_id).values_list("pk").first()
        entries.delete()
        for playlist_id in playlist_ids:
            _renumber(playlist_id, _ordered_item_ids(playlist_id))
        PlaybackProgress.objects.filter(content_type=content_type, object_id=object_id).delete()
        PendingEdit.objects.filter(content_type=content_type, object_id=object_id).delete()
