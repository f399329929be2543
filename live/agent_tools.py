"""What the voice assistant can look up, as plain functions over our own data.

No LiveKit here: the worker (live/voice_agent.py) wraps these as function tools, and tests
call them directly. Only public data is returned: approved content, public streams,
published documents. Results are short, JSON-ready dicts a model can read aloud.
"""

from django.contrib.auth.models import AnonymousUser

from catalog.search import SearchType, search
from cnt import assistant
from cnt.text import shortened

MAX_RESULTS = 5
MAX_QUERY = 100
SUMMARY_CHARS = 240


def _clean(query) -> str:
    return " ".join(str(query or "").split())[:MAX_QUERY]


def _limit(limit) -> int:
    return max(1, min(int(limit or MAX_RESULTS), MAX_RESULTS))


def _short(text: str) -> str:
    return shortened(text, SUMMARY_CHARS)


def _content_item(kind: str, obj) -> dict:
    artist = getattr(obj, "artist", None)
    return {
        "type": kind,
        "id": obj.pk,
        "title": obj.title,
        "artist": artist.name if artist is not None else None,
        "description": _short(obj.description),
        "duration_seconds": obj.duration_seconds,
    }


def catalog_search(query: str, limit: int = MAX_RESULTS) -> list[dict]:
    """Approved podcasts, music tracks and movies matching `query`, best first."""
    query, limit = _clean(query), _limit(limit)
    if not query:
        return []
    results = search(query=query, types=[SearchType.PODCAST, SearchType.MUSIC, SearchType.MOVIE])
    hits = results.page(1, limit).hits
    return [_content_item(hit.type, hit.obj) for hit in hits if hit.obj is not None]


def _stream_item(stream) -> dict:
    return {
        "id": stream.pk,
        "title": stream.title,
        "host": stream.host.display_name or stream.host.username,
        "description": _short(stream.description),
        "status": stream.status,
        "scheduled_start": stream.scheduled_start.isoformat() if stream.scheduled_start else None,
        "started_at": stream.started_at.isoformat() if stream.started_at else None,
        "viewer_count": stream.viewer_count,
    }


def live_schedule(limit: int = MAX_RESULTS) -> dict:
    """Public streams on air now and the next scheduled ones."""
    from live.selectors import StreamState, stream_list

    limit, anyone = _limit(limit), AnonymousUser()
    return {
        "live": [_stream_item(s) for s in stream_list(user=anyone, state=StreamState.LIVE)[:limit]],
        "upcoming": [
            _stream_item(s) for s in stream_list(user=anyone, state=StreamState.UPCOMING)[:limit]
        ],
    }


def bible_story_lookup(query: str, limit: int = 3) -> list[dict]:
    """Approved Bible stories whose title or scripture reference matches `query`."""
    query, limit = _clean(query), _limit(limit)
    return assistant.lookup_run("bible_stories", query, limit) if query else []


def document_lookup(query: str, limit: int = 3) -> list[dict]:
    """Published documents (Bibles, study guides) whose title or description matches."""
    query, limit = _clean(query), _limit(limit)
    return assistant.lookup_run("documents", query, limit) if query else []
