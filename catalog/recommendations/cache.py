"""A listener's computed list, cached while nothing it was built from has changed, so that
paging through it (or coming back to it) does not compute it again.

An entry is stored per listener, content kind and language with the two generations it was
computed under: the recommendations' own (bumped by every update run, which changes
neighbours, saves and the trending snapshot) and the listener's (bumped when their playback
progress or the artists they follow change: their seeds and what they finished). A read
fetches the entry and both generations in one round trip and uses the entry only when both
still match; an entry also expires after RECOMMENDATIONS_LIST_CACHE_SECONDS, which bounds how
late an item approved meanwhile shows up (one no longer approved is left out when the page
is read). Bumps happen at once and again after commit, as for the catalogue's read cache.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "recommendations:generation"


def _listener_key(user_id) -> str:
    return f"recommendations:listener:{user_id}"


def _list_key(user_id, item_type, language) -> str:
    return f"recommendations:list:{user_id}:{item_type or '*'}:{language or '*'}"


def _seconds() -> int:
    return settings.RECOMMENDATIONS_LIST_CACHE_SECONDS


def list_get(*, user_id, item_type, language, extra_keys=()) -> tuple[list | None, tuple, dict]:
    """The cached list (or None), the generations a list computed now is stored under, and
    the values of `extra_keys` read in the same round trip."""
    key = _list_key(user_id, item_type, language)
    found = cache.get_many([key, GENERATION_KEY, _listener_key(user_id), *extra_keys])
    generations = (
        found.get(GENERATION_KEY, 0),
        found.get(_listener_key(user_id), 0),
        settings.RECOMMENDATIONS_PER_ARTIST,  # the same list only under the same limit
    )
    extras = {k: found[k] for k in extra_keys if k in found}
    entry = found.get(key)
    if _seconds() <= 0 or not entry or tuple(entry["generations"]) != generations:
        return None, generations, extras
    return entry["picks"], generations, extras


def list_set(*, user_id, item_type, language, generations: tuple, picks: list) -> None:
    if _seconds() > 0:
        entry = {"generations": generations, "picks": picks}
        cache.set(_list_key(user_id, item_type, language), entry, _seconds())


def _bump(key: str, timeout) -> None:
    # A value never used before (time, not a counter that an eviction could restart), so an
    # entry never matches a generation it was not computed under.
    def bump():
        cache.set(key, time.time_ns(), timeout)

    bump()
    transaction.on_commit(bump)


def generation_bump() -> None:
    """Every cached list is out of date (an update run changed what they are made of)."""
    _bump(GENERATION_KEY, None)


def listener_lists_forget(*, user_id) -> None:
    """The listener's seeds or follows changed: their cached lists are out of date."""
    _bump(_listener_key(user_id), 24 * 3600)


def listener_changed(sender=None, instance=None, **kwargs) -> None:
    """Receiver of saved playback progress and follows (apps.py)."""
    listener_lists_forget(user_id=instance.user_id)
