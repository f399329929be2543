"""Look-ups the voice assistant (live/voice_agent.py) may call, registered by the apps that
own the data. The assistant lives in `live`, which may not import its sibling apps; each
app registers its own look-ups here from its AppConfig.ready() instead.

A look-up is `fn(query: str, limit: int) -> list[dict]`: public data only, JSON-ready.
"""

from collections.abc import Callable

Lookup = Callable[[str, int], list[dict]]

_LOOKUPS: dict[str, Lookup] = {}


def lookup_register(name: str, fn: Lookup) -> None:
    _LOOKUPS[name] = fn


def lookup_run(name: str, query: str, limit: int) -> list[dict]:
    """The named look-up's results; none when no installed app provides it."""
    fn = _LOOKUPS.get(name)
    return fn(query, limit) if fn is not None else []
