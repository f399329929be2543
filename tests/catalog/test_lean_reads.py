"""The lean read path answers exactly what DRF's own serialization did: the same JSON for
content lists and details (owner, moderator and public views), search hits and the
community feed; signed URLs made without build_absolute_uri are the same strings; the
Redis cache has one client per process."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.test import APIClient

from catalog import content_rows, kinds, selectors
from catalog.lexicon import lexicon_rebuild
from catalog.models import Artist, Movie, MusicTrack, PendingEdit, PlayEvent, Podcast
from cnt import rows, signing
from cnt.api.representation import FastRepresentation
from cnt.cache import RedisCache
from cnt.models import ModerationStatus
from community import selectors as community_selectors
from community.models import CommunityPost, Like
from media.models import Transcript
from tests.catalog.factories import (
    CategoryFactory,
    ImageAssetFactory,
    MovieFactory,
    MusicTrackFactory,
    PodcastFactory,
    RenditionFactory,
    VideoAssetFactory,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
APPROVED = ModerationStatus.APPROVED


@pytest.fixture(autouse=True)
def _one_signing_window(monkeypatch):
    """Every URL of a test signed for the same expiry: the answers compared are equal."""
    monkeypatch.setattr(signing, "expiry", lambda ttl=None, now=None: 2_000_000_400)


def _images(asset, key="image"):
    asset.images = {
        key: {
            "width": 1280,
            "height": 720,
            "placeholder": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "color": "#102030",
            "renditions": [
                {"width": w, "height": w * 9 // 16, "type": t, "path": f"img/w{w}.{e}"}
                for w in (320, 640)
                for t, e in (("image/jpeg", "jpg"), ("image/webp", "webp"))
            ],
        }
    }
    asset.save()
    return asset


@pytest.fixture
def catalogue(owner):
    """Every branch the representations take: covers with and without renditions, a video
    poster frame, downloads, captions, a category and an artist, a pending edit."""
    category = CategoryFactory()
    artist = Artist.objects.create(user=owner, name="Grace Choir", is_verified=True)
    common = {"owner": owner, "artist": artist, "status": APPROVED, "tags": ["hymn", "live"]}
    podcast = PodcastFactory(
        title="Grace Talk", category=category, thumbnail=_images(ImageAssetFactory()), **common
    )
    RenditionFactory(asset=podcast.audio)
    RenditionFactory(
        asset=podcast.audio, name="download_standard", kind="download",
        path="downloads/aac_128k.m4a", size_bytes=1_900_000, duration_seconds=120.0,
    )  # fmt: skip
    Transcript.objects.create(
        asset=podcast.audio, status="ready", language="en", caption_languages=["en", "fr"]
    )
    video = PodcastFactory(title="Grace Video", audio=None, video=VideoAssetFactory(), **common)
    _images(video.video, "poster")
    RenditionFactory(asset=video.video, name="poster", kind="poster")
    MovieFactory(title="Grace Film", poster=ImageAssetFactory(), language="en", **common)
    track = MusicTrackFactory(title="Grace Song", **common)
    PendingEdit.objects.create(
        content_type="music", object_id=track.pk, owner=owner, changes={"title": "X"}
    )
    PlayEvent.objects.create(content_type="music", object_id=track.pk)
    MusicTrackFactory(title="Grace Pending", owner=owner, status=ModerationStatus.PENDING)
    author = UserFactory(avatar=_images(ImageAssetFactory()))
    CommunityPost.objects.create(author=author, body="Amen", status=APPROVED, image=author.avatar)
    CommunityPost.objects.create(author=UserFactory(), body="Praise", status=APPROVED)
    lexicon_rebuild()
    return {"podcast": podcast, "video": video, "track": track}


def _drf_serialization(monkeypatch):
    """DRF's own loop over freshly built fields, in place of the lean one, on the objects
    the ORM loads (selectors.content_queryset) in place of catalog/content_rows.py's."""
    monkeypatch.setattr(
        FastRepresentation, "to_representation", serializers.Serializer.to_representation
    )
    monkeypatch.setattr(content_rows, "is_supported", lambda: False)
    monkeypatch.setattr(rows, "is_supported", lambda: False)


PATHS = [
    "/api/v1/podcasts",
    "/api/v1/podcasts?mine=true",
    "/api/v1/movies",
    "/api/v1/music?mine=true",
    "/api/v1/music/trending",
    "/api/v1/search?q=grace",
    "/api/v1/search?q=gracce choir",
    "/api/v1/community/posts",
]


@pytest.mark.parametrize("path", PATHS)
def test_lists_search_and_feed_answer_what_drf_answered(
    path, catalogue, owner, moderator, monkeypatch
):
    clients = [APIClient(), client_for(owner), client_for(moderator)]
    lean = [client.get(path) for client in clients]
    _drf_serialization(monkeypatch)
    cache.clear()
    for client, answer in zip(clients, lean, strict=True):
        reference = client.get(path)
        assert answer.status_code == reference.status_code == 200
        assert answer.json() == reference.json()
    assert any(answer.json()["results"] for answer in lean)  # something was compared


@pytest.mark.parametrize("name", ["podcast", "video", "track"])
def test_details_answer_what_drf_answered(name, catalogue, owner, moderator, monkeypatch):
    obj = catalogue[name]
    path = f"/api/v1/{'music' if name == 'track' else 'podcasts'}/{obj.pk}"
    clients = [APIClient(), client_for(owner), client_for(moderator)]
    lean = [client.get(path) for client in clients]
    cached = clients[0].get(path)  # the public answer again, from the cache
    _drf_serialization(monkeypatch)
    cache.clear()
    for client, answer in zip(clients, lean, strict=True):
        assert answer.json() == client.get(path).json()
    assert cached.content == lean[0].content
    assert cached["Content-Type"] == lean[0]["Content-Type"] == "application/json"
    assert lean[1].json()["pending_edit"] is not None or name != "track"


def test_indented_json_is_still_indented(catalogue):
    path = f"/api/v1/podcasts/{catalogue['podcast'].pk}"
    client = APIClient()
    client.get(path)  # cached
    indented = client.get(path, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "id"')
    assert indented.json() == client.get(path).json()


@pytest.mark.parametrize(
    "relative",
    ["hls/master.m3u8", "downloads/aac_128k/grace-talk-128k.m4a", "café/ü é.vtt", "a/./b"],
)
def test_signed_urls_are_what_build_absolute_uri_makes(relative, settings):
    settings.ALLOWED_HOSTS = ["media.example.org"]
    request = RequestFactory().get("/", HTTP_HOST="media.example.org", secure=True)
    path = signing.playback_path("9b2f4c1e-8f0a-4c3e-9d1b-2a6f0e7c5d4b", relative)
    expected = request.build_absolute_uri(path)
    assert signing.absolute_url(request, path) == expected
    assert signing.playback_url(request, "9b2f4c1e-8f0a-4c3e-9d1b-2a6f0e7c5d4b", relative) == (
        expected
    )
    assert expected.startswith("https://media.example.org/")


def test_the_redis_cache_has_one_client_per_process():
    first = RedisCache("redis://127.0.0.1:6379/9", {})
    second = RedisCache("redis://127.0.0.1:6379/9", {})  # another thread's or context's
    other = RedisCache("redis://127.0.0.1:6379/8", {})
    assert first._cache is second._cache
    assert first._cache.get_client() is second._cache.get_client(write=True)
    assert other._cache is not first._cache


def test_reads_run_no_more_queries_than_before(catalogue, django_assert_max_num_queries):
    """Before the lean path: a detail 2 queries (the item, its renditions), a list page 2
    with its count cached (the page, the renditions), the feed 2 (count, page)."""
    client = APIClient()
    track = catalogue["track"]
    with django_assert_max_num_queries(1):  # the item with its renditions, one statement
        assert client.get(f"/api/v1/music/{track.pk}").status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get(f"/api/v1/music/{track.pk}").status_code == 200
    client.get("/api/v1/podcasts")  # the count is cached
    with django_assert_max_num_queries(1):  # the page's ids and their rows, one statement
        assert len(client.get("/api/v1/podcasts").json()["results"]) == 2
    with django_assert_max_num_queries(2):
        assert len(client.get("/api/v1/community/posts").json()["results"]) == 2


def test_odd_ids_are_found_or_not_found_as_before(catalogue):
    client = APIClient()
    track = catalogue["track"]
    padded = client.get(f"/api/v1/music/00{track.pk}")
    assert padded.status_code == 200
    assert padded.json() == client.get(f"/api/v1/music/{track.pk}").json()
    for pk in ("0", "99999999999999999999"):
        response = client.get(f"/api/v1/music/{pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def _loaded(obj) -> dict | None:
    """What an instance holds: its loaded field values and which fields are deferred."""
    if obj is None:
        return None
    deferred = obj.get_deferred_fields()
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in deferred
    }
    return {"values": values, "deferred": deferred, "adding": obj._state.adding}


def _graph(obj) -> dict:
    """An item with every related object a representation reads, read without a query."""
    kind = kinds.kind_for(obj)
    graph = {"item": _loaded(obj)}
    for name in (*kind.asset_fields, *kind.related_fields):
        graph[name] = _loaded(getattr(obj, name))
    for name in kind.media_field_names:
        asset = getattr(obj, name)
        if asset is not None:
            graph[f"{name}.transcript"] = _loaded(getattr(asset, "transcript", None))
            renditions = sorted(asset.renditions.all(), key=lambda r: r.pk)
            graph[f"{name}.renditions"] = [_loaded(r) for r in renditions]
            assert all(r.asset is asset for r in renditions)
    return graph


@pytest.mark.parametrize("model", [Podcast, Movie, MusicTrack])
def test_rows_are_the_objects_the_orm_loads(model, catalogue, django_assert_num_queries):
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    ours = content_rows.content_by_ids(model=model, ids=ids)
    orm = list(selectors.content_queryset(model=model).filter(pk__in=ids).order_by("pk"))
    with django_assert_num_queries(0):
        assert [_graph(obj) for obj in ours] == [_graph(obj) for obj in orm]
    assert len(ours) == len(ids) > 0


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_feed_page_is_the_objects_the_orm_loads(
    signed_in, catalogue, owner, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    user = owner if signed_in else AnonymousUser()
    Like.objects.create(post=CommunityPost.objects.first(), user=owner)
    queryset = community_selectors.post_list(user=user)
    source = community_selectors.post_page_source(queryset=queryset, user=user)
    ours, orm = source[0:10], list(queryset[0:10])

    def graph(post):
        author = post.author
        return {
            "post": _loaded(post),
            "author": _loaded(author),
            "avatar": _loaded(author.avatar),
            "image": _loaded(post.image),
            "category": _loaded(post.category),
            "is_liked": getattr(post, "is_liked", None),
        }

    with django_assert_num_queries(0):
        assert [graph(p) for p in ours] == [graph(p) for p in orm]
    assert len(ours) == 2 and source.count() == 2
    assert any(getattr(p, "is_liked", False) for p in ours) == signed_in
