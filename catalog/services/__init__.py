"""Writes for the catalogue, one module per sub-domain: artists and follows, content,
categories, playlists, playback. Callers import from here."""

from catalog.services.artists import (
    CannotFollowSelf,
    artist_follow,
    artist_followers_notify,
    artist_get_or_create_for_user,
    artist_unfollow,
    content_notify_followers,
)
from catalog.services.categories import (
    category_create,
    category_delete,
    category_update,
)
from catalog.services.content import (
    CONTENT_DETAIL_FIELDS,
    content_asset_replace,
    content_create,
    content_delete,
    content_update,
)
from catalog.services.playback import (
    PLAY_COUNT_WINDOW,
    PLAY_THRESHOLD_SECONDS,
    POSITION_TOLERANCE_SECONDS,
    playback_progress_record,
)
from catalog.services.playlists import (
    MAX_PLAYLIST_ITEMS,
    PlaylistFull,
    content_references_forget,
    playlist_create,
    playlist_delete,
    playlist_item_add,
    playlist_item_remove,
    playlist_reorder,
    playlist_update,
)

__all__ = [
    "CONTENT_DETAIL_FIELDS",
    "CannotFollowSelf",
    "MAX_PLAYLIST_ITEMS",
    "PLAY_COUNT_WINDOW",
    "PLAY_THRESHOLD_SECONDS",
    "POSITION_TOLERANCE_SECONDS",
    "PlaylistFull",
    "artist_follow",
    "artist_followers_notify",
    "artist_get_or_create_for_user",
    "artist_unfollow",
    "category_create",
    "category_delete",
    "category_update",
    "content_asset_replace",
    "content_create",
    "content_delete",
    "content_notify_followers",
    "content_references_forget",
    "content_update",
    "playback_progress_record",
    "playlist_create",
    "playlist_delete",
    "playlist_item_add",
    "playlist_item_remove",
    "playlist_reorder",
    "playlist_update",
]
