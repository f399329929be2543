"""Serves media behind signed URLs: local files with HTTP Range, S3 objects by redirect.

Files of private or pending content are never reachable without a valid signature; no
URL without one is served at all. Paths are matched against a strict pattern, so `..`,
encoded traversal and backslashes never reach storage.
"""

import logging
import mimetypes
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_safe

from cnt import signing
from media import caching, captions, downloads, hls, profiles, storage, transcripts
from media.models import MediaAsset, Transcript

logger = logging.getLogger("cnt.media")

SAFE_PATH = re.compile(
    r"^(original|[a-z0-9_]+(/[a-z0-9_]+)*\.(m3u8|ts|m4s|jpg|png|webp|json|vtt))$"
)
# `v/<run id>/<path>`: a derived file of one processing run (media/layout.versioned_path).
VERSIONED_PATH = re.compile(r"^v/([a-z0-9]{1,64})/(.+)$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
}
# Originals are served only as these types; anything else is a download.
SAFE_ORIGINAL_TYPES = re.compile(r"^(audio|video|image)/[a-z0-9.+-]+$|^application/pdf$")


def _forbidden():
    return JsonResponse(
        {"detail": "The link is invalid or has expired.", "code": "invalid_signature"}, status=403
    )


def _stream(handle, start: int, length: int, block: int = 256 * 1024):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(block, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _local_response(request, key: str, content_type: str):
    try:
        path = default_storage.path(key)
        size = default_storage.size(key)
    except (FileNotFoundError, OSError):
        raise Http404
    header = request.headers.get("Range", "").strip()
    match = RANGE.match(header) if header else None
    if header and "," not in header and match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(
            _stream(open(path, "rb"), start, end - start + 1),  # noqa: SIM115 - closed by _stream
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    return response


def _unavailable():
    return JsonResponse(
        {
            "detail": "Media storage is unavailable; try again shortly.",
            "code": "service_unavailable",
        },
        status=503,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


def _remote_response(key: str, content_type: str, content_disposition: str = ""):
    """Playlists are served from here (their relative URIs must keep our signed path);
    everything else is a redirect to a short-lived signed S3/CloudFront URL."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if key.endswith(".m3u8"):
            try:
                with default_storage.open(key, "rb") as handle:
                    body = handle.read()
            except FileNotFoundError:
                raise Http404
            return HttpResponse(body, content_type=content_type)
        url = storage.signed_object_url(
            key, content_type=content_type, content_disposition=content_disposition
        )
        return HttpResponseRedirect(url)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("storage failed serving %s: %s", key, exc)
        return _unavailable()


def _subtitles_response(asset: MediaAsset, path: str):
    """The subtitles rendition, from the current caption tracks (they change after the
    renditions are published, so they are not files under the output prefix)."""
    name = path[len(captions.SUBTITLES_DIR) + 1 :]
    slug, _, suffix = name.rpartition(".")
    if "/" in slug:
        raise Http404
    track = transcripts.captions_current(asset_id=asset.id, language_slug=slug)
    if track is None:
        raise Http404
    if suffix == "vtt":
        return HttpResponse(track.vtt, content_type=CONTENT_TYPES[".vtt"])
    body = captions.subtitles_playlist(track.language, asset.duration_seconds or 0)
    return HttpResponse(body, content_type=CONTENT_TYPES[".m3u8"])


def _master_response(asset: MediaAsset, path: str):
    """The stored master playlist cut to the quality this path serves (every variant, the
    data-saver ones, or the standard ones), with the captions of the moment as a SUBTITLES
    group."""
    try:
        key = f"{asset.output_prefix}/{profiles.MASTER_PLAYLIST}"
        with default_storage.open(key, "rb") as handle:
            master = handle.read().decode()
    except FileNotFoundError:
        raise Http404
    master = hls.master_for_quality(master, profiles.quality_of_master(path))
    transcript = (
        Transcript.objects.filter(asset_id=asset.id).only("language", "caption_languages").first()
    )
    if transcript is not None and transcript.caption_languages:
        master = captions.master_with_subtitles(
            master, transcript.caption_languages, default=transcript.language
        )
    return HttpResponse(master, content_type=CONTENT_TYPES[".m3u8"])


def _dynamic_response(asset: MediaAsset, path: str, expires: int):
    from botocore.exceptions import BotoCoreError, ClientError

    if not asset.output_prefix:
        raise Http404
    try:
        if path.startswith(captions.SUBTITLES_DIR + "/"):
            response = _subtitles_response(asset, path)
        else:
            response = _master_response(asset, path)
    except (BotoCoreError, ClientError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise Http404
        logger.warning("storage failed serving %s of %s: %s", path, asset.id, exc)
        return _unavailable()
    # Captions may be corrected at any time: players re-read these soon.
    response["Cache-Control"] = caching.cache_control(
        path=path, is_versioned=False, expires=expires
    )
    return response


def _download_response(request, asset: MediaAsset, stored: str, content_type: str, name: str):
    """A download: the stored file with Range (local), or a redirect to S3 that answers
    Range itself and names the file there too; saved as `name` either way."""
    if not asset.output_prefix:
        raise Http404
    key = f"{asset.output_prefix}/{stored}"
    disposition = f'attachment; filename="{name}"'
    if storage.is_local():
        response = _local_response(request, key, content_type)
        response["Content-Disposition"] = disposition
        response["Cache-Control"] = "private, max-age=3600"
    else:
        response = _remote_response(key, content_type, content_disposition=disposition)
        if isinstance(response, HttpResponseRedirect):
            ttl = min(settings.MEDIA_URL_TTL_SECONDS, storage.MAX_PRESIGN_SECONDS)
            response["Cache-Control"] = f"private, max-age={max(0, min(3600, ttl - 60))}"
        else:
            response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def serve(request, asset_id, expires: int, signature: str, path: str):
    if not signing.verify(asset_id, expires, signature):
        return _forbidden()
    versioned = VERSIONED_PATH.match(path)
    version, path = versioned.groups() if versioned else (None, path)
    allowed = SAFE_PATH.match(path) or downloads.URL_PATH.match(path)
    if not allowed or (version and path == "original"):
        raise Http404
    asset = (
        MediaAsset.objects.filter(id=asset_id)
        .only(
            "id",
            "storage_key",
            "content_type",
            "output_prefix",
            "original_filename",
            "duration_seconds",
        )
        .first()
    )
    if asset is None:
        raise Http404
    if version is not None and asset.output_prefix.rsplit("/", 1)[-1] != version:
        raise Http404  # a run that is not (or no longer) the published one
    download = downloads.resolve(path)
    if download is not None:
        return _download_response(request, asset, *download)
    if profiles.quality_of_master(path) or path.startswith(captions.SUBTITLES_DIR + "/"):
        response = _dynamic_response(asset, path, expires)
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response
    if path == "original":
        key = asset.storage_key
        content_type = asset.content_type
        if not SAFE_ORIGINAL_TYPES.match(content_type or ""):
            content_type = "application/octet-stream"
    else:
        if not asset.output_prefix:
            raise Http404
        key = f"{asset.output_prefix}/{path}"
        suffix = "." + path.rsplit(".", 1)[-1]
        content_type = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0]
    if storage.is_local():
        response = _local_response(request, key, content_type)
    else:
        response = _remote_response(key, content_type)
    if response.status_code == 503:
        response["Cache-Control"] = "no-store"
    elif isinstance(response, HttpResponseRedirect):
        # A cached redirect must not outlive the signed URL it points to.
        ttl = min(settings.MEDIA_URL_TTL_SECONDS, storage.MAX_PRESIGN_SECONDS)
        response["Cache-Control"] = f"private, max-age={max(0, min(3600, ttl - 60))}"
    elif response.status_code in (200, 206):
        response["Cache-Control"] = caching.cache_control(
            path=path, is_versioned=version is not None, expires=expires
        )
    else:
        response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    if path == "original" and content_type == "application/pdf":
        response["Content-Disposition"] = "inline"
    return response
