"""Signed playback URLs of media assets (a platform helper: the accounts, media and content
serializers all sign asset URLs, and media/playback.py verifies them). The token sits in the
path and covers the whole asset, so the relative URIs inside an HLS master playlist
(variants, segments) inherit it."""

import base64
import hashlib
import hmac
import math
import time
import uuid
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_script_prefix, get_urlconf, reverse

ALGORITHM_VERSION = b"v1"


def _digest(asset_id, expires: int) -> str:
    return _hmac(settings.MEDIA_URL_SIGNING_KEY, str(asset_id), expires)


@lru_cache(maxsize=8192)
def _hmac(key: str, asset_id: str, expires: int) -> str:
    # Remembered: expiries are rounded to the signing window, so an item's poster, thumbnail,
    # stream and waveform URLs (and the next requests for them) share one signature.
    message = ALGORITHM_VERSION + f":{asset_id}:{expires}".encode()
    raw = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(raw[:24]).decode().rstrip("=")


def expiry(ttl: int | None = None, now: float | None = None) -> int:
    """Expiry rounded up to the signing window (MEDIA_URL_SIGNING_WINDOW_SECONDS): every URL
    of an asset signed within one window is the same string, so a CDN in front of the media
    routes caches it once per window rather than once per request."""
    ttl = settings.MEDIA_URL_TTL_SECONDS if ttl is None else ttl
    window = max(1, settings.MEDIA_URL_SIGNING_WINDOW_SECONDS)
    now = time.time() if now is None else now
    return int(math.ceil((now + ttl) / window) * window)


def sign(asset_id, expires: int) -> str:
    return _digest(asset_id, expires)


def verify(asset_id, expires: int, signature: str) -> bool:
    if expires < time.time():
        return False
    return hmac.compare_digest(_digest(asset_id, expires), signature or "")


_SENTINEL_ASSET = "00000000-0000-4000-8000-000000000000"
_SENTINEL_TAIL = "/1/SIGNATURE/PATH"
# What reverse() leaves unquoted in a path (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=16)
def _path_prefix(urlconf, script_prefix: str) -> str:
    """The route's path up to the asset id, reversed once per URLconf and script prefix
    (a list page signs dozens of URLs; reverse() for each cost more than the rest)."""
    path = reverse(
        "media-playback",
        urlconf=urlconf,
        kwargs={
            "asset_id": _SENTINEL_ASSET,
            "expires": 1,
            "signature": "SIGNATURE",
            "path": "PATH",
        },
    )
    if not path.endswith(f"{_SENTINEL_ASSET}{_SENTINEL_TAIL}"):
        raise ImproperlyConfigured("media-playback must end with <asset_id>/<expires>/<sig>/<path>")
    return path[: -len(_SENTINEL_ASSET + _SENTINEL_TAIL)]


def playback_path(asset_id, relative: str, ttl: int | None = None) -> str:
    expires = expiry(ttl)
    base = _asset_base(
        get_urlconf(), get_script_prefix(), settings.MEDIA_URL_SIGNING_KEY, str(asset_id), expires
    )
    return base + _quoted(relative)


@lru_cache(maxsize=8192)
def _asset_base(urlconf, script_prefix: str, key: str, asset_id: str, expires: int) -> str:
    """The signed path of an asset up to its file, once per signing window: every URL of an
    asset (stream, waveform, downloads, image renditions) and the next requests' share it."""
    prefix = _path_prefix(urlconf, script_prefix)
    return f"{prefix}{uuid.UUID(asset_id)}/{expires}/{_hmac(key, asset_id, expires)}/"


@lru_cache(maxsize=4096)
def _quoted(relative: str) -> str:
    return quote(relative, safe=_PATH_SAFE)


def absolute_url(request, path: str) -> str:
    """`request.build_absolute_uri(path)` for a path reverse() and quote() made: then that
    is the request's scheme and host before the path (the path is already a URI, there is
    nothing to resolve), without parsing and re-quoting each of a page's URLs."""
    if "/." in path or not path.startswith("/") or path.startswith("//"):
        return request.build_absolute_uri(path)
    try:
        origin = request._current_scheme_host  # Django's, cached per request
    except AttributeError:
        return request.build_absolute_uri(path)
    return origin + path


def playback_url(request, asset_id, relative: str, ttl: int | None = None) -> str:
    """An absolute, expiring URL for one file of an asset (`original` or a derived path)."""
    path = playback_path(asset_id, relative, ttl)
    return absolute_url(request, path) if request is not None else path
