"""The public podcast feed and its stable URLs. Feeds are cached by podcast apps for years,
so nothing in them expires: enclosures and artwork point here, and each request is
redirected to a freshly signed URL of the file (media/playback.py serves it, with HEAD
and Range). A known artist without approved, playable podcasts has no feed (404), as an
empty channel is refused by the directories and would only say the artist exists."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from catalog.feeds import selectors
from catalog.feeds.rss import FeedUrls, feed_render
from cnt import signing

FEED_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
# How long a feed's Last-Modified is remembered; after that (or a cache flush) it restarts
# at the time of the next request, which only makes clients fetch once more.
LAST_MODIFIED_MEMORY_SECONDS = 90 * 86400


def _not_found(detail: str):
    return JsonResponse({"detail": detail, "code": "not_found"}, status=404)


def _redirect_to_file(request, asset_id) -> HttpResponseRedirect:
    response = HttpResponseRedirect(signing.playback_url(request, asset_id, "original"))
    # A cached redirect must not outlive the signed URL (valid for at least the TTL).
    response["Cache-Control"] = (
        f"public, max-age={max(0, min(3600, settings.MEDIA_URL_TTL_SECONDS - 60))}"
    )
    return response


def _channel_link(request, artist) -> str:
    if settings.PODCAST_FEED_SITE_URL:
        return f"{settings.PODCAST_FEED_SITE_URL.rstrip('/')}/artists/{artist.pk}"
    return request.build_absolute_uri("/")


def _last_modified(feed_url: str, etag: str) -> int:
    """When this feed (at this URL) first read as it reads now. Row timestamps cannot tell:
    when a podcast is taken down or deleted, or its file removed, the rows left are all
    older, and If-Modified-Since would keep a stale copy. A new document always gets a
    later time than the one before it, even within the same second."""
    key = f"catalog:podcast-feed:modified:{hashlib.sha256(feed_url.encode()).hexdigest()[:32]}"
    remembered = cache.get(key)
    if remembered is not None and remembered[0] == etag:
        return remembered[1]
    now = int(time.time())
    modified = max(now, remembered[1] + 1) if remembered is not None else now
    cache.set(key, (etag, modified), timeout=LAST_MODIFIED_MEMORY_SECONDS)
    return modified


@require_safe
def podcast_feed(request, artist_id: int):
    artist = selectors.feed_artist_get(artist_id=artist_id)
    episodes = selectors.feed_episode_list(artist=artist) if artist is not None else []
    if not episodes:
        return _not_found("No podcast feed here.")
    artwork = selectors.artwork_of(artist)
    if artwork is not None:
        path = reverse("podcast-feed-artwork", kwargs={"artist_id": artist.pk, "ext": artwork[1]})
        # Directories re-fetch artwork only when its URL changes: a new image, a new URL.
        artwork_url = request.build_absolute_uri(f"{path}?v={artwork[0].pk.hex[:12]}")
    else:
        artwork_url = settings.PODCAST_FEED_DEFAULT_ARTWORK_URL or None
    urls = FeedUrls(
        feed=request.build_absolute_uri(reverse("podcast-feed", kwargs={"artist_id": artist.pk})),
        channel_link=_channel_link(request, artist),
        artwork=artwork_url,
        enclosure=lambda episode: request.build_absolute_uri(
            reverse(
                "podcast-feed-episode",
                kwargs={"podcast_id": episode.podcast.pk, "ext": episode.enclosure.extension},
            )
        ),
        chapters=lambda episode: request.build_absolute_uri(
            reverse(
                "chapters-json", kwargs={"content_type": "podcast", "object_id": episode.podcast.pk}
            )
        ),
    )
    body = feed_render(artist=artist, episodes=episodes, urls=urls)
    # The document holds no clock, so its hash changes exactly when what it says does.
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = _last_modified(urls.feed, etag)
    response = HttpResponse(body, content_type=FEED_CONTENT_TYPE)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={settings.PODCAST_FEED_MAX_AGE_SECONDS}"
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


@require_safe
def episode_enclosure(request, podcast_id: int, ext: str):
    episode = selectors.feed_episode_get(podcast_id=podcast_id)
    # Any known extension redirects: an app holding the URL from before the creator
    # replaced an MP3 with an M4A still gets the current file.
    if episode is None:
        return _not_found("No such episode.")
    return _redirect_to_file(request, episode.enclosure.asset.pk)


@require_safe
def artist_artwork(request, artist_id: int, ext: str):
    artist = selectors.feed_artist_get(artist_id=artist_id)
    artwork = selectors.artwork_of(artist) if artist is not None else None
    if artwork is None:
        return _not_found("No artwork here.")
    return _redirect_to_file(request, artwork[0].pk)
