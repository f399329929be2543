"""How long browsers and CDNs may keep what the media routes serve.

A derived file reached through a versioned path (`v/<run>/...`, see media/layout.py) and an
original never change under their URL: a new processing run publishes under a new run id,
image renditions under their content's hash, and an original is never rewritten. Those are
`immutable` for a year in the browser; shared caches keep them until the URL's signature
expires (`s-maxage`), so a CDN never serves a file past the link's lifetime. Playlists
(which name the captions of the moment) are kept briefly, unversioned legacy paths an hour.
"""

import time

from django.conf import settings

YEAR = 31_536_000
UNVERSIONED = "private, max-age=3600"
DYNAMIC_SUFFIXES = (".m3u8", ".vtt")


def playlist_cache_control() -> str:
    return f"public, max-age={settings.MEDIA_PLAYLIST_MAX_AGE_SECONDS}"


def cache_control(*, path: str, is_versioned: bool, expires: int, now: float | None = None) -> str:
    """The Cache-Control of a served file at `path` (relative, without its version)."""
    if path.endswith(DYNAMIC_SUFFIXES):
        return playlist_cache_control()
    if is_versioned or path == "original":
        now = time.time() if now is None else now
        shared = max(0, int(expires - now))
        return f"public, max-age={YEAR}, s-maxage={shared}, immutable"
    return UNVERSIONED


def stored_object_cache_control(key: str) -> str:
    """The Cache-Control stored with an object in S3, for what fetches it from the bucket
    (a presigned or CloudFront URL): playlists briefly, everything else for good."""
    if key.endswith(DYNAMIC_SUFFIXES):
        return playlist_cache_control()
    return f"public, max-age={YEAR}, immutable"
