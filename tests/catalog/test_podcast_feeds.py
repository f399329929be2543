"""Podcast feeds (/feeds/podcasts/{artist_id}.xml): RSS 2.0 with the iTunes and Podcasting
2.0 namespaces, read as podcast apps read it (feedparser) and as XML; stable enclosure and
artwork URLs that redirect to freshly signed ones; conditional GET."""

import re
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import Client

from catalog.feeds.rss import episode_guid
from catalog.models import Podcast, TranscriptFormat
from cnt import signing
from cnt.models import ModerationStatus
from media.models import AssetStatus
from tests.catalog.factories import (
    ArtistFactory,
    ImageAssetFactory,
    MediaAssetFactory,
    PodcastFactory,
    VideoAssetFactory,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": "http://www.w3.org/2005/Atom"}
HOST = "testserver"


@pytest.fixture(autouse=True)
def _feed_settings(settings):
    settings.PODCAST_FEED_OWNER_EMAIL = "podcasts@cnt.example"
    settings.PODCAST_FEED_DEFAULT_ARTWORK_URL = ""
    settings.PODCAST_FEED_SITE_URL = "https://app.cnt.example"
    settings.PODCAST_FEED_LANGUAGE = "en"


def stored_audio(owner, payload: bytes, content_type="audio/mpeg", **extra):
    """A ready asset whose original really is in storage, `payload` long."""
    asset = MediaAssetFactory(
        owner=owner, content_type=content_type, size_bytes=len(payload), **extra
    )
    default_storage.save(asset.storage_key, ContentFile(payload))
    return asset


def artwork(owner, side=1400, height=None, content_type="image/jpeg"):
    image = ImageAssetFactory(
        owner=owner, content_type=content_type, width=side, height=height or side
    )
    default_storage.save(image.storage_key, ContentFile(b"\xff\xd8jpeg"))
    return image


@pytest.fixture
def artist(db):
    user = UserFactory()
    found = ArtistFactory(user=user, name="Pastor James", bio="Sunday sermons & Bible study.")
    found.cover_image = artwork(user)
    found.save(update_fields=["cover_image"])
    return found


def episode(artist, *, payload=b"ID3" + b"\x00" * 997, published=None, **fields):
    fields.setdefault("audio", stored_audio(artist.user, payload))
    return PodcastFactory(
        owner=artist.user,
        artist=artist,
        published_at=published or datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
        **fields,
    )


def feed_path(artist) -> str:
    return f"/feeds/podcasts/{artist.pk}.xml"


def get_feed(artist, client=None, **headers):
    return (client or Client()).get(feed_path(artist), headers=headers)


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)


# --- the document -------------------------------------------------------------------------


def test_feed_has_every_required_field_in_feedparser(artist):
    first = episode(
        artist,
        title="Romans 8",
        description="No condemnation.",
        duration_seconds=1834,
        episode_number=7,
        published=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    second = episode(
        artist,
        title="Psalm 23",
        description="",
        audio=stored_audio(artist.user, b"\x00" * 4321, duration_seconds=61.6),
        duration_seconds=0,
        published=datetime(2026, 11, 8, 9, 30, tzinfo=UTC),
    )
    response = get_feed(artist)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"

    parsed = feedparser.parse(response.content)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = parsed.feed
    assert channel.title == "Pastor James"
    assert channel.description == "Sunday sermons & Bible study."
    assert channel.link == f"https://app.cnt.example/artists/{artist.pk}"
    assert channel.language == "en"
    assert channel.author == "Pastor James"
    assert channel.publisher_detail == {"name": "Pastor James", "email": "podcasts@cnt.example"}
    # Apple's current values are "true"/"false"; feedparser reads only the legacy "yes"
    # and "clean", so the flags are checked in the XML below.
    assert "itunes_explicit" in channel
    assert channel.image.href == (
        f"http://{HOST}/feeds/podcasts/{artist.pk}/artwork.jpg?v={artist.cover_image_id.hex[:12]}"
    )
    assert [(tag.term, tag.scheme) for tag in channel.tags] == [
        ("Religion & Spirituality", "http://www.itunes.com/"),
        ("Christianity", "http://www.itunes.com/"),
    ]

    newest, older = parsed.entries
    assert newest.title == "Psalm 23" and older.title == "Romans 8"
    assert newest.id == episode_guid(second.pk) and older.id == episode_guid(first.pk)
    assert newest.guidislink is False and older.guidislink is False
    assert older.summary == "No condemnation."
    assert newest.summary == "Psalm 23"  # an empty description falls back to the title
    assert newest.published == "Sun, 08 Nov 2026 09:30:00 GMT"
    assert older.published_parsed[:6] == (2026, 11, 1, 9, 30, 0)
    assert older.enclosures == [
        {
            "href": f"http://{HOST}/feeds/podcasts/episodes/{first.pk}.mp3",
            "length": "1000",
            "type": "audio/mpeg",
        }
    ]
    assert newest.enclosures[0]["length"] == "4321"
    assert older.itunes_duration == "1834"
    assert newest.itunes_duration == "62"  # from the file when the item has none
    assert older.itunes_episode == "7"
    xml = parse_xml(response.content).find("channel")
    assert xml.find("itunes:explicit", NS).text == "false"
    assert [i.find("itunes:explicit", NS).text for i in xml.findall("item")] == ["false", "false"]


def test_feed_declares_the_itunes_podcasting_and_atom_namespaces(artist):
    episode(artist)
    body = get_feed(artist).content
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<rss ")
    opening = re.search(rb"<rss [^>]*>", body).group(0).decode()
    assert 'version="2.0"' in opening
    assert f'xmlns:itunes="{ITUNES}"' in opening
    assert f'xmlns:podcast="{PODCAST}"' in opening
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in opening
    root = parse_xml(body)
    channel = root.find("channel")
    assert root.tag == "rss" and channel is not None
    # Every namespaced element is in one of the three namespaces, under its usual prefix.
    used = {el.tag.split("}")[0][1:] for el in root.iter() if el.tag.startswith("{")}
    assert used == {ITUNES, PODCAST, NS["atom"]}
    self_link = channel.find("atom:link", NS)
    assert self_link.attrib == {
        "href": f"http://{HOST}/feeds/podcasts/{artist.pk}.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    category = channel.find("itunes:category", NS)
    assert category.attrib == {"text": "Religion & Spirituality"}
    assert [c.attrib for c in category.findall("itunes:category", NS)] == [{"text": "Christianity"}]
    assert channel.find("itunes:image", NS).attrib == {
        "href": f"http://{HOST}/feeds/podcasts/{artist.pk}/artwork.jpg"
        f"?v={artist.cover_image_id.hex[:12]}"
    }
    assert channel.find("itunes:owner/itunes:email", NS).text == "podcasts@cnt.example"
    assert channel.find("itunes:type", NS).text == "episodic"
    # The Podcasting 2.0 rule: UUIDv5 of the feed URL without its scheme, in their namespace.
    spec_namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    expected = uuid.uuid5(spec_namespace, f"{HOST}/feeds/podcasts/{artist.pk}.xml")
    assert channel.find("podcast:guid", NS).text == str(expected)
    assert channel.find("podcast:locked", NS).attrib == {"owner": "podcasts@cnt.example"}
    assert channel.find("podcast:locked", NS).text == "yes"
    item = channel.find("item")
    assert item.find("guid").attrib == {"isPermaLink": "false"}


def test_transcript_and_chapters_links_only_where_they_exist(artist):
    with_both = episode(
        artist,
        transcript_url="https://files.cnt.example/t/1.vtt",
        transcript_format=TranscriptFormat.WEBVTT,
        chapters_url="https://files.cnt.example/c/1.json",
    )
    bare = episode(artist, published=datetime(2026, 10, 1, tzinfo=UTC))
    channel = parse_xml(get_feed(artist).content).find("channel")
    items = {item.find("guid").text: item for item in channel.findall("item")}
    rich, plain = items[episode_guid(with_both.pk)], items[episode_guid(bare.pk)]
    assert [t.attrib for t in rich.findall("podcast:transcript", NS)] == [
        {"url": "https://files.cnt.example/t/1.vtt", "type": "text/vtt"}
    ]
    assert [c.attrib for c in rich.findall("podcast:chapters", NS)] == [
        {"url": "https://files.cnt.example/c/1.json", "type": "application/json+chapters"}
    ]
    assert plain.findall("podcast:transcript", NS) == []
    assert plain.findall("podcast:chapters", NS) == []


def test_a_transcript_url_needs_its_format(artist):
    podcast = episode(artist)
    podcast.transcript_url = "https://files.cnt.example/t/1.srt"
    with pytest.raises(IntegrityError), transaction.atomic():
        podcast.save(update_fields=["transcript_url"])
    assert Podcast.objects.get(pk=podcast.pk).transcript_url == ""


def test_only_approved_podcasts_with_a_playable_file_are_listed(artist):
    listed = episode(artist, title="Listed")
    video_only = episode(
        artist,
        title="Video only",
        audio=None,
        video=VideoAssetFactory(owner=artist.user, content_type="video/mp4", size_bytes=77),
    )
    flac_audio_mp4_video = episode(
        artist,
        title="FLAC with a video",
        audio=stored_audio(artist.user, b"fLaC", content_type="audio/flac"),
        video=VideoAssetFactory(owner=artist.user, content_type="video/mp4", size_bytes=88),
    )
    for status in (ModerationStatus.PENDING, ModerationStatus.REJECTED):
        episode(artist, title=f"Not public ({status})", status=status)
    episode(artist, title="FLAC only", audio=stored_audio(artist.user, b"fLaC", "audio/flac"))
    episode(
        artist,
        title="Failed file",
        audio=stored_audio(artist.user, b"ID3", status=AssetStatus.FAILED),
    )
    episode(artist, title="No file", audio=None)
    episode(artist, title="Empty file", audio=MediaAssetFactory(content_type="audio/mpeg"))
    PodcastFactory(title="Someone else's", audio__content_type="audio/mpeg", audio__size_bytes=9)

    entries = feedparser.parse(get_feed(artist).content).entries
    assert sorted(e.title for e in entries) == ["FLAC with a video", "Listed", "Video only"]
    by_title = {e.title: e for e in entries}
    assert by_title["Video only"].enclosures[0]["type"] == "video/mp4"
    assert by_title["Video only"].enclosures[0]["href"].endswith(f"/{video_only.pk}.mp4")
    assert by_title["FLAC with a video"].enclosures[0]["length"] == "88"
    assert by_title["FLAC with a video"].id == episode_guid(flac_audio_mp4_video.pk)
    assert by_title["Listed"].id == episode_guid(listed.pk)


def test_m4a_originals_are_announced_as_apple_names_them(artist):
    podcast = episode(artist, audio=stored_audio(artist.user, b"....ftypM4A ", "audio/mp4"))
    entry = feedparser.parse(get_feed(artist).content).entries[0]
    assert entry.enclosures[0]["type"] == "audio/x-m4a"
    assert entry.enclosures[0]["href"] == f"http://{HOST}/feeds/podcasts/episodes/{podcast.pk}.m4a"


def test_episodes_are_newest_first_and_capped(artist, settings):
    settings.PODCAST_FEED_MAX_EPISODES = 2
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for day in (3, 1, 5, 2):
        episode(artist, title=f"Day {day}", published=base + timedelta(days=day))
    channel = feedparser.parse(get_feed(artist).content)
    assert [e.title for e in channel.entries] == ["Day 5", "Day 3"]
    assert channel.feed.updated == format_datetime(base + timedelta(days=5), usegmt=True)


def test_channel_is_explicit_when_any_episode_is(artist):
    episode(artist)
    explicit = episode(artist, is_explicit=True, published=datetime(2026, 9, 1, tzinfo=UTC))
    channel = parse_xml(get_feed(artist).content).find("channel")
    assert channel.find("itunes:explicit", NS).text == "true"
    flags = {i.find("guid").text: i.find("itunes:explicit", NS).text for i in channel.iter("item")}
    assert flags[episode_guid(explicit.pk)] == "true"
    assert sorted(flags.values()) == ["false", "true"]


def test_guids_do_not_change_with_the_host_or_the_file(artist, settings):
    settings.ALLOWED_HOSTS = [HOST, "feeds.other.example"]
    podcast = episode(artist)
    before = feedparser.parse(get_feed(artist).content).entries[0].id
    podcast.audio = stored_audio(artist.user, b"\x00" * 50, content_type="audio/mp4")
    podcast.save(update_fields=["audio"])
    after = feedparser.parse(Client(HTTP_HOST="feeds.other.example").get(feed_path(artist)).content)
    assert after.entries[0].id == before == episode_guid(podcast.pk)
    assert after.entries[0].enclosures[0]["href"].startswith("http://feeds.other.example/")
    assert episode_guid(podcast.pk) != episode_guid(podcast.pk + 1)


def test_description_falls_back_when_the_artist_has_no_bio(artist):
    artist.bio = "   "
    artist.save(update_fields=["bio"])
    episode(artist)
    assert feedparser.parse(get_feed(artist).content).feed.description == (
        "Podcasts by Pastor James on CNT Media."
    )


# --- artwork ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "height", "content_type"),
    [
        (1399, None, "image/jpeg"),  # too small
        (3001, None, "image/jpeg"),  # too large
        (2000, 1500, "image/jpeg"),  # not square
        (1400, None, "image/webp"),  # not JPEG or PNG
    ],
)
def test_artwork_that_directories_refuse_is_replaced_by_the_default(
    artist, settings, side, height, content_type
):
    artist.cover_image = artwork(artist.user, side, height, content_type)
    artist.save(update_fields=["cover_image"])
    episode(artist)
    settings.PODCAST_FEED_DEFAULT_ARTWORK_URL = "https://cdn.cnt.example/podcast-3000.png"
    channel = parse_xml(get_feed(artist).content).find("channel")
    assert channel.find("itunes:image", NS).attrib == {
        "href": "https://cdn.cnt.example/podcast-3000.png"
    }
    assert Client().get(f"/feeds/podcasts/{artist.pk}/artwork.jpg").status_code == 404

    settings.PODCAST_FEED_DEFAULT_ARTWORK_URL = ""
    channel = parse_xml(get_feed(artist).content).find("channel")
    assert channel.find("itunes:image", NS) is None


def test_new_artwork_gets_a_new_url(artist):
    episode(artist)
    before = feedparser.parse(get_feed(artist).content).feed.image.href
    artist.cover_image = artwork(artist.user, 2000)
    artist.save(update_fields=["cover_image"])
    after = feedparser.parse(get_feed(artist).content).feed.image.href
    assert after != before
    assert after.endswith(f"/artwork.jpg?v={artist.cover_image_id.hex[:12]}")


def test_png_artwork_of_3000_px_is_used_and_redirects_to_a_signed_url(artist):
    artist.cover_image = artwork(artist.user, 3000, content_type="image/png")
    artist.save(update_fields=["cover_image"])
    episode(artist)
    href = feedparser.parse(get_feed(artist).content).feed.image.href
    assert href == (
        f"http://{HOST}/feeds/podcasts/{artist.pk}/artwork.png?v={artist.cover_image_id.hex[:12]}"
    )
    response = Client().get(href)
    assert response.status_code == 302
    assert re.fullmatch(
        rf"http://{HOST}/media/s/{artist.cover_image_id}/\d+/[\w-]+/original", response["Location"]
    )
    served = Client().get(response["Location"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


# --- enclosures -----------------------------------------------------------------------------


def test_enclosure_redirects_to_the_exact_file_and_supports_head(artist):
    payload = b"ID3" + bytes(range(256)) * 40
    podcast = episode(artist, payload=payload)
    enclosure = feedparser.parse(get_feed(artist).content).entries[0].enclosures[0]
    client = Client()

    head = client.head(enclosure["href"])
    assert head.status_code == 302
    location = head["Location"]
    assert re.fullmatch(
        rf"http://{HOST}/media/s/{podcast.audio_id}/(\d+)/[\w-]+/original", location
    )
    assert head["Cache-Control"].startswith("public, max-age=")
    target_head = client.head(location)
    assert target_head.status_code == 200
    assert target_head["Content-Length"] == enclosure["length"] == str(len(payload))
    assert target_head["Content-Type"] == "audio/mpeg"
    assert target_head["Accept-Ranges"] == "bytes"

    get = client.get(enclosure["href"])
    assert get.status_code == 302 and get["Location"] == location
    body = client.get(location)
    assert b"".join(body.streaming_content) == payload


def test_enclosure_urls_never_expire(artist, monkeypatch):
    podcast = episode(artist)
    href = feedparser.parse(get_feed(artist).content).entries[0].enclosures[0]["href"]
    assert href == f"http://{HOST}/feeds/podcasts/episodes/{podcast.pk}.mp3"
    a_year_on = time.time() + 365 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: a_year_on)
    location = Client().get(href)["Location"]
    expires = int(re.search(r"/media/s/[^/]+/(\d+)/", location).group(1))
    assert expires > a_year_on
    assert Client().head(location).status_code == 200


def test_enclosure_of_a_podcast_no_longer_public_is_gone(artist):
    podcast = episode(artist)
    href = f"/feeds/podcasts/episodes/{podcast.pk}.mp3"
    assert Client().get(href).status_code == 302
    Podcast.objects.filter(pk=podcast.pk).update(status=ModerationStatus.REJECTED)
    response = Client().get(href)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such episode.", "code": "not_found"}


def test_enclosure_paths_refuse_unknown_ids_extensions_and_methods(artist):
    podcast = episode(artist)
    client = Client()
    assert client.get(f"/feeds/podcasts/episodes/{podcast.pk}.flac").status_code == 404
    assert client.get(f"/feeds/podcasts/episodes/{podcast.pk + 1000}.mp3").status_code == 404
    assert client.get("/feeds/podcasts/episodes/99999999999999999999999.mp3").status_code == 404
    assert client.post(f"/feeds/podcasts/episodes/{podcast.pk}.mp3").status_code == 405
    # A URL from before the file changed format still reaches the current file.
    assert client.get(f"/feeds/podcasts/episodes/{podcast.pk}.m4a").status_code == 302


# --- existence and conditional GET ----------------------------------------------------------


def test_no_feed_for_an_unknown_artist_or_one_without_public_podcasts(artist):
    client = Client()
    response = client.get("/feeds/podcasts/987654321.xml")
    assert response.status_code == 404
    assert response.json() == {"detail": "No podcast feed here.", "code": "not_found"}
    assert client.get("/feeds/podcasts/99999999999999999999999.xml").status_code == 404
    assert get_feed(artist).status_code == 404  # no podcasts at all
    pending = episode(artist, status=ModerationStatus.PENDING)
    assert get_feed(artist).status_code == 404
    Podcast.objects.filter(pk=pending.pk).update(status=ModerationStatus.APPROVED)
    assert get_feed(artist).status_code == 200


def test_feed_refuses_writes(artist):
    episode(artist)
    assert Client().post(feed_path(artist)).status_code == 405


def test_conditional_get_with_etag_and_last_modified(artist):
    podcast = episode(artist)
    first = get_feed(artist)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first["Cache-Control"] == "public, max-age=300"

    not_modified = get_feed(artist, **{"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert get_feed(artist, **{"If-Modified-Since": last_modified}).status_code == 304
    head = Client().head(feed_path(artist), headers={"If-None-Match": etag})
    assert head.status_code == 304

    # A new episode changes both validators.
    episode(artist, title="New", published=datetime(2026, 12, 1, tzinfo=UTC))
    changed = get_feed(artist, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"<title>New</title>" in changed.content
    assert get_feed(artist, **{"If-None-Match": changed["ETag"]}).status_code == 304

    # So does an edit to an existing one (its updated_at moves; the text changes).
    Podcast.objects.filter(pk=podcast.pk).update(title="Renamed")
    renamed = get_feed(artist, **{"If-None-Match": changed["ETag"]})
    assert renamed.status_code == 200 and b"<title>Renamed</title>" in renamed.content


def test_feed_queries_do_not_grow_with_episodes(artist, django_assert_max_num_queries):
    for day in range(1, 9):
        episode(artist, published=datetime(2026, 1, day, tzinfo=UTC))
    with django_assert_max_num_queries(2):
        response = get_feed(artist)
    assert len(feedparser.parse(response.content).entries) == 8


def test_last_modified_moves_when_an_episode_is_taken_down_or_its_file_removed(artist):
    kept = episode(artist, title="Kept")
    taken_down = episode(artist, title="Taken down", published=datetime(2026, 12, 1, tzinfo=UTC))
    first = get_feed(artist)
    since = first["Last-Modified"]
    assert get_feed(artist)["Last-Modified"] == since  # same document, same date
    assert get_feed(artist, **{"If-Modified-Since": since}).status_code == 304

    # Only older rows are left, yet the feed changed: a stale copy must not be kept.
    Podcast.objects.filter(pk=taken_down.pk).update(status=ModerationStatus.REJECTED)
    after_take_down = get_feed(artist, **{"If-Modified-Since": since})
    assert after_take_down.status_code == 200
    assert b"Taken down" not in after_take_down.content
    assert parsedate_to_datetime(after_take_down["Last-Modified"]) > parsedate_to_datetime(since)
    since = after_take_down["Last-Modified"]

    episode(artist, title="Newer", published=datetime(2026, 12, 2, tzinfo=UTC))
    assert get_feed(artist, **{"If-Modified-Since": since}).status_code == 200
    since = get_feed(artist)["Last-Modified"]
    Podcast.objects.filter(title="Newer").update(audio=None)
    after_removal = get_feed(artist, **{"If-Modified-Since": since})
    assert after_removal.status_code == 200
    assert [e.id for e in feedparser.parse(after_removal.content).entries] == [
        episode_guid(kept.pk)
    ]


def test_query_strings_do_not_change_the_feed_identity(artist):
    episode(artist)
    plain = get_feed(artist)
    odd = Client().get(feed_path(artist) + "?utm_source=x")
    assert odd.content == plain.content
    assert odd["ETag"] == plain["ETag"]


# --- creators set the feed fields through the API -------------------------------------------


def test_creator_sets_explicit_transcript_and_chapters_through_the_api(artist):
    audio = MediaAssetFactory(owner=artist.user)
    client = client_for(artist.user)
    created = client.post(
        "/api/v1/podcasts",
        {
            "title": "With extras",
            "asset": str(audio.id),
            "is_explicit": True,
            "transcript_url": "https://files.cnt.example/t/9.srt",
            "transcript_format": "application/x-subrip",
            "chapters_url": "https://files.cnt.example/c/9.json",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["is_explicit"], body["transcript_url"], body["transcript_format"]) == (
        True,
        "https://files.cnt.example/t/9.srt",
        "application/x-subrip",
    )
    assert body["chapters_url"] == "https://files.cnt.example/c/9.json"
    podcast = Podcast.objects.get(pk=body["id"])
    assert podcast.is_explicit is True
    assert podcast.transcript_format == TranscriptFormat.SRT

    # Emptying the link removes the format with it.
    patched = client.patch(
        f"/api/v1/podcasts/{podcast.pk}", {"transcript_url": "", "chapters_url": ""}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    podcast.refresh_from_db()
    assert (podcast.transcript_url, podcast.transcript_format, podcast.chapters_url) == ("", "", "")


def test_a_transcript_without_its_format_or_a_bad_link_is_refused(artist):
    podcast = episode(artist)
    client = client_for(artist.user)
    path = f"/api/v1/podcasts/{podcast.pk}"
    missing = client.patch(path, {"transcript_url": "https://f.example/t.vtt"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid"
    assert list(missing.json()["errors"]) == ["transcript_format"]
    for bad, field in (
        (
            {"transcript_url": "javascript:alert(1)", "transcript_format": "text/vtt"},
            "transcript_url",
        ),
        ({"chapters_url": "ftp://f.example/c.json"}, "chapters_url"),
        (
            {"transcript_url": "https://f.example/t.vtt", "transcript_format": "video/mp4"},
            "transcript_format",
        ),
    ):
        response = client.patch(path, bad, format="json")
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == [field]
    podcast.refresh_from_db()
    assert (podcast.transcript_url, podcast.transcript_format, podcast.chapters_url) == ("", "", "")
    others = client_for(UserFactory()).patch(path, {"is_explicit": True}, format="json")
    assert others.status_code == 403
    podcast.refresh_from_db()
    assert podcast.is_explicit is False


def test_channel_language_is_the_episodes_when_they_agree(artist):
    episode(artist, language="fr")
    episode(artist, language="fr")
    assert feedparser.parse(get_feed(artist).content).feed.language == "fr"
    episode(artist, language="es")
    assert feedparser.parse(get_feed(artist).content).feed.language == "en"  # the platform's
