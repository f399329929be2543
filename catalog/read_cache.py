"""Cached reads of the catalogue: an approved item's public representation, and the
number of items a listing has.

Details. Everyone but an item's owner and the moderators sees the same JSON for an approved
item (the signed media URLs are not tied to a viewer), so it is built once and then served
from the cache (Redis when REDIS_URL is set) until the item changes or
CATALOG_DETAIL_CACHE_SECONDS pass, as its rendered JSON (a hit is sent as it is, neither
unpickled into a dict nor rendered again). Entries are busted by signal receivers
(catalog/receivers.py) when the item's row is saved or deleted (edits, moderation decisions,
admin changes), when one of its media assets changes state, and when a play is counted; an
artist's or category's renamed label inside may lag by at most the TTL, which stays far
below the signed URLs' lifetime. The URLs are absolute and follow the viewer's quality
preference, so an entry holds one representation per origin (scheme and host) and
preference.

Counts. COUNT(*) over a large catalogue was the biggest single cost of a list page, and it
only changes when items of that type are saved or deleted. A listing's count is cached per
type, filters and viewer scope, under a per-type version that those saves and deletes bump
(the same receivers), so a count is never stale beyond the commit that changed it.

Summaries. The short representation of an approved item that lists of picks show
(ContentSummarySerializer: recommendations, related items) is the same for every viewer
too, so it is cached per item the same way, under its own key, and busted with the detail
(detail_forget), for the same TTL and with one representation per origin and preference.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from catalog import kinds


def _key(model, pk) -> str:
    # v2: an entry holds each representation as its rendered JSON (not as a dict to render).
    return f"catalog:detail:v2:{kinds.kind_for(model).name}:{pk}"


def _ttl() -> int:
    return int(getattr(settings, "CATALOG_DETAIL_CACHE_SECONDS", 60))


def detail_get(*, model, pk, origin: str, viewer_id) -> tuple[bytes | None, dict | None]:
    """(the cached public representation as JSON, or None when it is not cached or
    `viewer_id` owns the item; the item's entry as read, for `detail_set`)."""
    if _ttl() <= 0:
        return None, None
    entry = cache.get(_key(model, pk))
    if not entry or entry["owner_id"] == viewer_id:
        return None, entry
    return entry["by_origin"].get(origin), entry


def detail_set(*, model, obj, origin: str, body: bytes, entry: dict | None = None) -> None:
    """Cache `body` (`cnt.api.representation.render_json` of the public representation) for
    `origin`, beside the entry's other origins (`entry` as `detail_get` read it: no second
    read; an origin stored meanwhile by another request is merely read again later)."""
    ttl = _ttl()
    if ttl <= 0:
        return
    if not entry or entry.get("owner_id") != obj.owner_id:
        entry = {"owner_id": obj.owner_id, "by_origin": {}}
    entry["by_origin"][origin] = body
    cache.set(_key(model, obj.pk), entry, ttl)


def detail_forget(*, model, pk) -> None:
    """Drop the entries (detail and summary) now and again after commit, so a reader that
    cached the old row between the write and the commit does not keep it."""
    keys = [_key(model, pk), _summary_key(kinds.kind_for(model).name, pk)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# --- summaries -----------------------------------------------------------------------------


def _summary_key(kind_name: str, pk) -> str:
    return f"catalog:summary:{kind_name}:{pk}"


def summaries_get(*, refs, origin: str) -> dict[tuple[str, int], dict]:
    """The cached summaries of the items `refs` ((kind name, pk) pairs) for `origin`, by ref;
    absent ones are not in the result."""
    if _ttl() <= 0 or not refs:
        return {}
    keys = {_summary_key(name, pk): (name, pk) for name, pk in refs}
    found = cache.get_many(list(keys))
    return {keys[key]: entry[origin] for key, entry in found.items() if origin in entry}


def summaries_set(*, summaries: dict[tuple[str, int], dict], origin: str) -> None:
    """Cache the summaries of approved items (by (kind name, pk)) for `origin`."""
    ttl = _ttl()
    if ttl <= 0 or not summaries:
        return
    keys = {_summary_key(name, pk): data for (name, pk), data in summaries.items()}
    entries = cache.get_many(list(keys))
    cache.set_many({key: {**entries.get(key, {}), origin: data} for key, data in keys.items()}, ttl)


# --- list counts ---------------------------------------------------------------------------

COUNT_TTL = 10 * 60


def _version_key(model) -> str:
    return f"catalog:list-version:{kinds.kind_for(model).name}"


def count_version_bump(*, model) -> None:
    key = _version_key(model)
    try:
        cache.incr(key)
    except ValueError:  # not there (or evicted): a value never used before invalidates
        cache.set(key, time.time_ns(), None)


def count_key(*, model, scope: str, params: dict) -> str:
    """The cache key of one listing's count: its type's current version, who is asking
    (what they may see differs) and the filters (not the page, its size or the order)."""
    version = cache.get_or_set(_version_key(model), time.time_ns, None)
    ignored = {"page", "page_size", "ordering"}
    pairs = params.lists() if hasattr(params, "lists") else params.items()
    filters = "&".join(f"{k}={v}" for k, v in sorted(pairs) if k not in ignored)
    digest = hashlib.sha256(filters.encode()).hexdigest()[:24]
    return f"catalog:count:{kinds.kind_for(model).name}:{version}:{scope}:{digest}"


def count_get_or_compute(key: str, compute) -> int:
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, COUNT_TTL)
    return value
