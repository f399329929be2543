"""The public representation of catalogue items, kept in the shared cache.

Everyone but an item's owner and the moderators sees the same JSON for an approved item
(the signed media URLs are not tied to a viewer), so it is built once and then served from
the cache (Redis when REDIS_URL is set) until the item changes or CATALOG_DETAIL_CACHE_SECONDS
pass. Entries are busted by signal receivers (catalog/apps.py) when the item's row is saved
or deleted (edits, moderation decisions, admin changes), when one of its media assets
changes state, and when a play is counted; an artist's or category's renamed label inside
may lag by at most the TTL, which stays far below the signed URLs' lifetime. The URLs are
absolute, so an entry holds one representation per origin (scheme and host).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from catalog import selectors


def _key(model, pk) -> str:
    return f"catalog:detail:{selectors.TYPE_OF_MODEL[model]}:{pk}"


def _ttl() -> int:
    return int(getattr(settings, "CATALOG_DETAIL_CACHE_SECONDS", 60))


def detail_get(*, model, pk, origin: str, viewer_id) -> dict | None:
    """The cached public representation, or None (not cached, or `viewer_id` owns it)."""
    if _ttl() <= 0:
        return None
    entry = cache.get(_key(model, pk))
    if not entry or entry["owner_id"] == viewer_id:
        return None
    return entry["by_origin"].get(origin)


def detail_set(*, model, obj, origin: str, data: dict) -> None:
    ttl = _ttl()
    if ttl <= 0:
        return
    key = _key(model, obj.pk)
    entry = cache.get(key) or {"owner_id": obj.owner_id, "by_origin": {}}
    entry["by_origin"][origin] = data
    cache.set(key, entry, ttl)


def detail_forget(*, model, pk) -> None:
    """Drop the entry now and again after commit, so a reader that cached the old row
    between the write and the commit does not keep it."""
    key = _key(model, pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
