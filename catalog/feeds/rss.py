"""The RSS 2.0 document of one artist's podcast feed, with the iTunes namespace Apple
Podcasts and Spotify read and the Podcasting 2.0 namespace (guid, locked, transcript,
chapters). Built from rows only (no clock), so the same rows give the same bytes and the
ETag can be a hash of them."""

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from django.conf import settings

from catalog.feeds.selectors import Episode
from catalog.models import Artist

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

# podcast:guid is a UUIDv5 of the feed URL (scheme and trailing slash removed) in this
# namespace, as the Podcasting 2.0 specification defines it.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Episode guids: a UUIDv5 of the podcast id, independent of the host and of the file, so
# a new domain or a replaced audio file never makes apps download an episode twice.
EPISODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cnt.media/podcast-episode")


@dataclass(frozen=True)
class FeedUrls:
    """Absolute URLs the document links to (the views build them from the request)."""

    feed: str
    channel_link: str
    artwork: str | None
    enclosure: Callable[[Episode], str]
    # Our own chapters document of an episode (owners may link their own instead).
    chapters: Callable[[Episode], str]


def episode_guid(podcast_id: int) -> str:
    return str(uuid.uuid5(EPISODE_GUID_NAMESPACE, str(podcast_id)))


def podcast_guid(feed_url: str) -> str:
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def published_at(episode: Episode) -> datetime:
    podcast = episode.podcast
    return podcast.published_at or podcast.moderated_at or podcast.created_at


def _it(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def _pc(name: str) -> str:
    return f"{{{PODCAST}}}{name}"


def _add(parent: ET.Element, tag: str, value: str | None = None, /, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if value is not None:
        element.text = value
    return element


def _episode(channel: ET.Element, episode: Episode, urls: FeedUrls) -> None:
    podcast, enclosure = episode.podcast, episode.enclosure
    item = _add(channel, "item")
    _add(item, "title", podcast.title)
    _add(item, _it("title"), podcast.title)
    _add(item, "description", podcast.description or podcast.title)
    _add(item, "guid", episode_guid(podcast.pk), isPermaLink="false")
    _add(item, "pubDate", format_datetime(published_at(episode), usegmt=True))
    _add(
        item,
        "enclosure",
        url=urls.enclosure(episode),
        length=str(enclosure.length),
        type=enclosure.content_type,
    )
    duration = podcast.duration_seconds or round(enclosure.asset.duration_seconds or 0)
    if duration > 0:
        _add(item, _it("duration"), str(int(duration)))
    _add(item, _it("explicit"), "true" if podcast.is_explicit else "false")
    _add(item, _it("episodeType"), "full")
    if podcast.episode_number:
        _add(item, _it("episode"), str(podcast.episode_number))
    if podcast.transcript_url and podcast.transcript_format:
        _add(item, _pc("transcript"), url=podcast.transcript_url, type=podcast.transcript_format)
    chapters_url = podcast.chapters_url or (urls.chapters(episode) if episode.has_chapters else "")
    if chapters_url:
        _add(item, _pc("chapters"), url=chapters_url, type="application/json+chapters")


def _channel_language(episodes: list[Episode]) -> str:
    """The episodes' language when they all name the same one, else the platform's."""
    languages = {episode.podcast.language for episode in episodes}
    if len(languages) == 1 and "" not in languages:
        return languages.pop()
    return settings.PODCAST_FEED_LANGUAGE


def feed_render(*, artist: Artist, episodes: list[Episode], urls: FeedUrls) -> bytes:
    """The feed as UTF-8 XML bytes; `episodes` newest first and not empty."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _add(rss, "channel")
    description = artist.bio.strip() or f"Podcasts by {artist.name} on CNT Media."
    _add(channel, "title", artist.name)
    _add(channel, "link", urls.channel_link)
    _add(channel, "description", description)
    _add(channel, "language", _channel_language(episodes))
    _add(channel, "generator", "CNT Media")
    _add(channel, "lastBuildDate", format_datetime(published_at(episodes[0]), usegmt=True))
    _add(channel, f"{{{ATOM}}}link", href=urls.feed, rel="self", type="application/rss+xml")
    _add(channel, _it("author"), artist.name)
    owner = _add(channel, _it("owner"))
    _add(owner, _it("name"), artist.name)
    if settings.PODCAST_FEED_OWNER_EMAIL:
        _add(owner, _it("email"), settings.PODCAST_FEED_OWNER_EMAIL)
    if urls.artwork:
        _add(channel, _it("image"), href=urls.artwork)
    category = _add(channel, _it("category"), text=settings.PODCAST_FEED_CATEGORY)
    if settings.PODCAST_FEED_SUBCATEGORY:
        _add(category, _it("category"), text=settings.PODCAST_FEED_SUBCATEGORY)
    explicit = any(episode.podcast.is_explicit for episode in episodes)
    _add(channel, _it("explicit"), "true" if explicit else "false")
    _add(channel, _it("type"), "episodic")
    _add(channel, _pc("guid"), podcast_guid(urls.feed))
    if settings.PODCAST_FEED_OWNER_EMAIL:
        # Other hosts must not import the feed; its owner (by email) may move it.
        _add(channel, _pc("locked"), "yes", owner=settings.PODCAST_FEED_OWNER_EMAIL)
    for episode in episodes:
        _episode(channel, episode, urls)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)
