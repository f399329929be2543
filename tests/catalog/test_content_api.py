"""Podcasts, movies and music over the API: publishing from assets, visibility, the permission
matrix (forbidden requests change nothing), filters, ordering and bounded queries."""

import uuid

import pytest
from django.utils import timezone

from catalog.models import (
    Artist,
    Movie,
    MusicTrack,
    PendingEdit,
    PlayEvent,
    PlaylistItem,
    Podcast,
)
from cnt.models import ModerationStatus
from media.models import AssetStatus
from tests.catalog.conftest import ROLES
from tests.catalog.factories import (
    ArtistFactory,
    CategoryFactory,
    ImageAssetFactory,
    MediaAssetFactory,
    MovieFactory,
    MusicTrackFactory,
    PlaylistFactory,
    PodcastFactory,
    RenditionFactory,
    VideoAssetFactory,
    add_items,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PENDING, APPROVED, REJECTED = (
    ModerationStatus.PENDING,
    ModerationStatus.APPROVED,
    ModerationStatus.REJECTED,
)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- publishing ----------------------------------------------------------------------------


def test_publishing_a_podcast_creates_the_artist_and_waits_for_review(owner):
    owner.display_name = "Pastor James"
    owner.save()
    audio = MediaAssetFactory(owner=owner, duration_seconds=61.4)
    RenditionFactory(asset=audio, name="waveform")
    cover = ImageAssetFactory(owner=owner)
    category = CategoryFactory(name="Sermons")

    response = client_for(owner).post(
        "/api/v1/podcasts",
        {
            "title": "Walking by Faith",
            "description": "Hebrews 11",
            "category": category.id,
            "asset": str(audio.id),
            "cover": str(cover.id),
            "tags": ["faith", " Hope ", "FAITH"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    podcast = Podcast.objects.get()
    artist = Artist.objects.get(user=owner)
    assert artist.name == "Pastor James" and not artist.is_trusted
    assert podcast.artist == artist and podcast.owner == owner
    assert podcast.audio == audio and podcast.video is None and podcast.thumbnail == cover
    assert podcast.duration_seconds == 61
    assert body["id"] == podcast.id
    assert body["status"] == "pending"
    assert body["rejection_reason"] == ""
    assert body["artist"] == {"id": artist.id, "name": "Pastor James", "is_verified": False}
    assert body["category"] == {"id": category.id, "name": "Sermons", "slug": "sermons"}
    assert body["tags"] == ["faith", "Hope"]
    assert body["duration"] == 61.4
    assert body["plays_count"] == 0
    assert body["stream_type"] == "audio"
    assert body["media_status"] == "ready"
    assert body["asset"] == str(audio.id) and body["cover"] == str(cover.id)
    assert body["hls_url"].startswith("http://testserver/")
    assert body["hls_url"].endswith("/hls/master.m3u8")
    assert str(audio.id) in body["hls_url"]
    assert body["waveform_url"].endswith("/waveform.json")
    assert body["cover_url"].endswith("/original") and str(cover.id) in body["cover_url"]
    assert body["thumbnail_url"] == body["cover_url"] == body["poster_url"]
    assert podcast.moderated_at is None and body["published_at"] is None


def test_artist_name_falls_back_to_username_and_is_created_once(owner):
    owner.display_name = ""
    owner.save()
    client = client_for(owner)
    for title in ("One", "Two"):
        asset = MediaAssetFactory(owner=owner)
        response = client.post("/api/v1/music/", {"title": title, "asset": str(asset.id)})
        assert response.status_code == 201
    assert Artist.objects.filter(user=owner).count() == 1
    assert Artist.objects.get(user=owner).name == owner.username
    assert set(MusicTrack.objects.values_list("artist__user", flat=True)) == {owner.id}


def test_trusted_artist_content_is_approved_at_once(owner):
    ArtistFactory(user=owner, is_trusted=True)
    video = VideoAssetFactory(owner=owner)
    response = client_for(owner).post(
        "/api/v1/podcasts", {"title": "Live", "asset": str(video.id)}, format="json"
    )
    assert response.status_code == 201
    podcast = Podcast.objects.get()
    assert podcast.status == APPROVED
    assert podcast.moderated_at is not None and podcast.published_at is not None
    assert podcast.video == video and podcast.audio is None
    assert response.json()["stream_type"] == "video"


def test_movie_takes_a_video_and_its_cover_is_the_poster(owner):
    video = VideoAssetFactory(owner=owner)
    RenditionFactory(asset=video, name="poster", kind="poster")
    poster = ImageAssetFactory(owner=owner)
    response = client_for(owner).post(
        "/api/v1/movies",
        {
            "title": "The Prodigal Returns",
            "asset": str(video.id),
            "cover": str(poster.id),
            "release_year": 2024,
            "director": "Ruth A.",
            "cast": "Ana, Ben",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    movie = Movie.objects.get()
    assert movie.video == video and movie.poster == poster and movie.thumbnail == poster
    body = response.json()
    assert (body["release_year"], body["director"], body["cast"]) == (2024, "Ruth A.", "Ana, Ben")
    assert body["stream_type"] == "video"
    assert str(poster.id) in body["poster_url"]
    assert body["waveform_url"] is None


def test_movie_without_cover_uses_the_video_frames(owner):
    movie = MovieFactory(owner=owner)
    RenditionFactory(asset=movie.video, name="poster", kind="poster")
    body = client_for(owner).get(f"/api/v1/movies/{movie.id}").json()
    assert body["poster_url"].endswith("/poster.jpg")
    assert body["cover_url"] == body["poster_url"]
    assert body["thumbnail_url"] is None  # no ready thumbnail rendition


def test_music_fields_round_trip(owner):
    audio = MediaAssetFactory(owner=owner)
    response = client_for(owner).post(
        "/api/v1/music",
        {
            "title": "Amazing Grace",
            "asset": str(audio.id),
            "album": "Hymns",
            "genre": "Worship",
            "lyrics": "Amazing grace, how sweet the sound",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["album"], body["genre"], body["lyrics"]) == (
        "Hymns",
        "Worship",
        "Amazing grace, how sweet the sound",
    )


def test_hls_url_only_once_the_asset_is_ready(owner):
    podcast = PodcastFactory(owner=owner, audio__status=AssetStatus.PROCESSING)
    body = client_for(owner).get(f"/api/v1/podcasts/{podcast.id}").json()
    assert body["hls_url"] is None
    assert body["media_status"] == "processing"


@pytest.mark.parametrize(
    ("endpoint", "make_asset", "field", "message"),
    [
        ("podcasts", lambda owner: uuid.uuid4(), "asset", "No media asset"),
        ("podcasts", lambda owner: MediaAssetFactory().id, "asset", "No media asset"),
        ("podcasts", lambda owner: ImageAssetFactory(owner=owner).id, "asset", "Expected"),
        (
            "podcasts",
            lambda owner: MediaAssetFactory(owner=owner, status=AssetStatus.FAILED).id,
            "asset",
            "failed",
        ),
        ("movies", lambda owner: MediaAssetFactory(owner=owner).id, "asset", "Expected"),
        ("music", lambda owner: VideoAssetFactory(owner=owner).id, "asset", "Expected"),
        ("music", lambda owner: "not-a-uuid", "asset", "valid UUID"),
    ],
)
def test_bad_assets_are_rejected_naming_the_field_and_leave_nothing(
    owner, endpoint, make_asset, field, message
):
    asset_id = make_asset(owner)
    response = client_for(owner).post(
        f"/api/v1/{endpoint}", {"title": "T", "asset": str(asset_id)}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert message in body["errors"][field][0]
    assert not Podcast.objects.exists() and not Movie.objects.exists()
    assert not MusicTrack.objects.exists()
    assert not Artist.objects.filter(user=owner).exists()


def test_unknown_and_foreign_assets_get_the_same_error(owner):
    client = client_for(owner)
    foreign = MediaAssetFactory()
    unknown = client.post("/api/v1/podcasts", {"title": "T", "asset": str(uuid.uuid4())})
    theirs = client.post("/api/v1/podcasts", {"title": "T", "asset": str(foreign.id)})
    assert unknown.status_code == theirs.status_code == 400
    assert unknown.json() == theirs.json()


def test_cover_must_be_an_own_image(owner):
    audio = MediaAssetFactory(owner=owner)
    client = client_for(owner)
    for cover in (MediaAssetFactory(owner=owner).id, ImageAssetFactory().id):
        response = client.post(
            "/api/v1/podcasts",
            {"title": "T", "asset": str(audio.id), "cover": str(cover)},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["cover"]
    assert not Podcast.objects.exists()


def test_inactive_or_unknown_category_is_rejected(owner):
    audio = MediaAssetFactory(owner=owner)
    inactive = CategoryFactory(is_active=False)
    for category in (inactive.id, 999999):
        response = client_for(owner).post(
            "/api/v1/podcasts",
            {"title": "T", "asset": str(audio.id), "category": category},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["category"]
    assert not Podcast.objects.exists()


def test_clients_cannot_set_status_or_counters(owner):
    audio = MediaAssetFactory(owner=owner)
    response = client_for(owner).post(
        "/api/v1/podcasts",
        {"title": "T", "asset": str(audio.id), "status": "approved", "plays_count": 99},
        format="json",
    )
    assert response.status_code == 201
    podcast = Podcast.objects.get()
    assert podcast.status == PENDING and podcast.play_count == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"asset": "ASSET"}, "title"),
        ({"title": "", "asset": "ASSET"}, "title"),
        ({"title": "x" * 201, "asset": "ASSET"}, "title"),
        ({"title": "T"}, "asset"),
        ({"title": "T", "asset": "ASSET", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"title": "T", "asset": "ASSET", "tags": ["x" * 51]}, "tags.0"),
        ({"title": "T", "asset": "ASSET", "tags": "faith"}, "tags"),
    ],
)
def test_invalid_input_names_the_field(owner, payload, field):
    audio = MediaAssetFactory(owner=owner)
    payload = {k: str(audio.id) if v == "ASSET" else v for k, v in payload.items()}
    response = client_for(owner).post("/api/v1/podcasts", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Podcast.objects.exists()


def test_anonymous_cannot_publish(api_client):
    response = api_client.post("/api/v1/podcasts", {"title": "T", "asset": str(uuid.uuid4())})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Podcast.objects.exists()


# --- visibility and the permission matrix ---------------------------------------------------

RETRIEVE_EXPECTED = {
    APPROVED: {"anonymous": 200, "user": 200, "owner": 200, "moderator": 200, "admin": 200},
    PENDING: {"anonymous": 404, "user": 404, "owner": 200, "moderator": 200, "admin": 200},
    REJECTED: {"anonymous": 404, "user": 404, "owner": 200, "moderator": 200, "admin": 200},
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("state", [APPROVED, PENDING, REJECTED])
@pytest.mark.parametrize(
    ("endpoint", "factory"),
    [("podcasts", PodcastFactory), ("movies", MovieFactory), ("music", MusicTrackFactory)],
)
def test_retrieve_matrix(actor, state, endpoint, factory, owner):
    role, _, client = actor
    obj = factory(owner=owner, status=state, rejection_reason="Off topic")
    response = client.get(f"/api/v1/{endpoint}/{obj.id}/")
    assert response.status_code == RETRIEVE_EXPECTED[state][role]
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    else:
        expected_reason = "Off topic" if role in ("owner", "moderator", "admin") else None
        assert response.json()["rejection_reason"] == expected_reason


WRITE_EXPECTED = {
    APPROVED: {"anonymous": 401, "user": 403, "owner": 200, "moderator": 403, "admin": 403},
    PENDING: {"anonymous": 401, "user": 404, "owner": 200, "moderator": 403, "admin": 403},
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("state", [APPROVED, PENDING])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_matrix_and_forbidden_updates_change_nothing(actor, state, method, owner):
    role, _, client = actor
    podcast = PodcastFactory(owner=owner, status=state, title="Before")
    before = Podcast.objects.filter(pk=podcast.pk).values().get()
    payload = {"title": "After", "asset": str(podcast.audio_id)}
    response = getattr(client, method)(f"/api/v1/podcasts/{podcast.id}", payload, format="json")
    assert response.status_code == WRITE_EXPECTED[state][role]
    after = Podcast.objects.filter(pk=podcast.pk).values().get()
    if role == "owner" and state == APPROVED:
        # The public title stays until a moderator approves the edit (catalog/moderation.py).
        assert response.json()["title"] == "Before"
        assert response.json()["pending_edit"]["changes"] == {"title": "After"}
        assert after == before
    elif role == "owner":
        assert response.json()["title"] == "After" and response.json()["pending_edit"] is None
        assert after["title"] == "After" and after["status"] == state
    else:
        assert after == before
        assert not PendingEdit.objects.exists()


DELETE_EXPECTED = {
    APPROVED: {"anonymous": 401, "user": 403, "owner": 204, "moderator": 403, "admin": 403},
    PENDING: {"anonymous": 401, "user": 404, "owner": 204, "moderator": 403, "admin": 403},
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("state", [APPROVED, PENDING])
def test_delete_matrix(actor, state, owner):
    role, _, client = actor
    track = MusicTrackFactory(owner=owner, status=state)
    response = client.delete(f"/api/v1/music/{track.id}")
    assert response.status_code == DELETE_EXPECTED[state][role]
    assert MusicTrack.objects.filter(pk=track.pk).exists() == (role != "owner")


def test_owner_cannot_attach_someone_elses_asset_on_update(owner):
    podcast = PodcastFactory(owner=owner)
    foreign = MediaAssetFactory()
    response = client_for(owner).patch(
        f"/api/v1/podcasts/{podcast.id}", {"asset": str(foreign.id)}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["asset"]
    podcast.refresh_from_db()
    assert podcast.audio_id != foreign.id and podcast.status == APPROVED


def test_new_asset_on_approved_content_goes_back_to_review(owner, moderator):
    podcast = PodcastFactory(owner=owner, moderated_by=moderator, moderated_at=timezone.now())
    new = VideoAssetFactory(owner=owner, duration_seconds=300)
    response = client_for(owner).patch(
        f"/api/v1/podcasts/{podcast.id}", {"asset": str(new.id)}, format="json"
    )
    assert response.status_code == 200
    podcast.refresh_from_db()
    assert podcast.status == PENDING
    assert podcast.moderated_by is None and podcast.moderated_at is None
    assert podcast.video == new and podcast.audio is None and podcast.duration_seconds == 300
    assert response.json()["status"] == "pending" and response.json()["duration"] == 300


def test_same_asset_or_text_edits_keep_approval(owner):
    podcast = PodcastFactory(owner=owner, title="Original", tags=[])
    response = client_for(owner).patch(
        f"/api/v1/podcasts/{podcast.id}",
        {"asset": str(podcast.audio_id), "title": "Renamed", "tags": ["x"]},
        format="json",
    )
    assert response.status_code == 200
    podcast.refresh_from_db()
    # Approved and public as before; the new text waits for a moderator.
    assert podcast.status == APPROVED and podcast.title == "Original" and podcast.tags == []
    assert response.json()["pending_edit"]["changes"] == {"title": "Renamed", "tags": ["x"]}


def test_new_cover_on_approved_content_goes_back_to_review(owner):
    movie = MovieFactory(owner=owner)
    cover = ImageAssetFactory(owner=owner)
    response = client_for(owner).patch(
        f"/api/v1/movies/{movie.id}", {"cover": str(cover.id)}, format="json"
    )
    assert response.status_code == 200
    movie.refresh_from_db()
    assert movie.status == PENDING and movie.poster == cover and movie.thumbnail == cover


def test_trusted_artist_keeps_approval_on_new_asset(owner):
    ArtistFactory(user=owner, is_trusted=True)
    track = MusicTrackFactory(owner=owner)
    new = MediaAssetFactory(owner=owner)
    client_for(owner).patch(f"/api/v1/music/{track.id}", {"asset": str(new.id)}, format="json")
    track.refresh_from_db()
    assert track.status == APPROVED and track.audio == new


def test_new_asset_on_rejected_content_resubmits_it(owner):
    ArtistFactory(user=owner, is_trusted=True)
    track = MusicTrackFactory(owner=owner, status=REJECTED, rejection_reason="Bad audio")
    new = MediaAssetFactory(owner=owner)
    response = client_for(owner).patch(
        f"/api/v1/music/{track.id}", {"asset": str(new.id)}, format="json"
    )
    assert response.status_code == 200
    track.refresh_from_db()
    assert track.status == PENDING and track.rejection_reason == ""


def test_deleting_content_closes_gaps_in_playlists(owner):
    a, b, c = MusicTrackFactory.create_batch(3)
    doomed = MusicTrackFactory(owner=owner)
    playlist = PlaylistFactory()
    add_items(playlist, a, doomed, b, c)
    response = client_for(owner).delete(f"/api/v1/music/{doomed.id}")
    assert response.status_code == 204
    rows = list(playlist.items.order_by("position").values_list("position", "object_id"))
    assert rows == [(0, a.id), (1, b.id), (2, c.id)]
    playlist.refresh_from_db()
    assert playlist.items_count == 3
    assert not PlaylistItem.objects.filter(content_type="music", object_id=doomed.id).exists()


# --- listing, filters, ordering ------------------------------------------------------------


def test_default_listing_is_the_approved_catalogue_for_everyone(owner, moderator):
    approved = PodcastFactory(owner=owner)
    PodcastFactory(owner=owner, status=PENDING)
    PodcastFactory(status=REJECTED)
    for client in (client_for(owner), client_for(moderator), client_for(UserFactory())):
        response = client.get("/api/v1/podcasts")
        assert response.status_code == 200
        assert ids(response) == [approved.id]
        assert response.json()["count"] == 1


def test_mine_lists_own_items_in_every_state(owner, api_client):
    mine = [PodcastFactory(owner=owner, status=state) for state in (APPROVED, PENDING, REJECTED)]
    PodcastFactory()
    response = client_for(owner).get("/api/v1/podcasts?mine=true")
    assert sorted(ids(response)) == sorted(p.id for p in mine)
    pending = client_for(owner).get("/api/v1/podcasts?mine=true&status=pending")
    assert ids(pending) == [mine[1].id]
    assert ids(api_client.get("/api/v1/podcasts?mine=true")) == []


def test_status_filter_reaches_everyone_only_for_moderators(owner, moderator, api_client):
    own_pending = PodcastFactory(owner=owner, status=PENDING)
    other_pending = PodcastFactory(status=PENDING)
    PodcastFactory()
    assert sorted(ids(client_for(moderator).get("/api/v1/podcasts?status=pending"))) == sorted(
        [own_pending.id, other_pending.id]
    )
    assert ids(client_for(owner).get("/api/v1/podcasts?status=pending")) == [own_pending.id]
    assert ids(api_client.get("/api/v1/podcasts?status=pending")) == []
    assert ids(api_client.get("/api/v1/podcasts?status=rejected")) == []


def test_filters_by_category_artist_and_podcast_type(owner):
    sermons = CategoryFactory()
    audio_podcast = PodcastFactory(owner=owner, category=sermons)
    video_podcast = PodcastFactory(owner=owner, audio=None, video=VideoAssetFactory(owner=owner))
    elsewhere = PodcastFactory()
    client = client_for(owner)
    artist = Artist.objects.get(user=owner)
    assert ids(client.get(f"/api/v1/podcasts?category={sermons.id}")) == [audio_podcast.id]
    assert sorted(ids(client.get(f"/api/v1/podcasts?artist={artist.id}"))) == sorted(
        [audio_podcast.id, video_podcast.id]
    )
    audio_ids = ids(client.get("/api/v1/podcasts?type=audio"))
    assert sorted(audio_ids) == sorted([audio_podcast.id, elsewhere.id])
    assert ids(client.get("/api/v1/podcasts?type=video")) == [video_podcast.id]
    assert client.get("/api/v1/podcasts?type=vinyl").status_code == 400
    assert client.get("/api/v1/podcasts?category=abc").status_code == 400


def test_ordering_newest_most_played_and_title():
    first = MusicTrackFactory(title="B", play_count=5)
    second = MusicTrackFactory(title="C", play_count=50)
    third = MusicTrackFactory(title="A", play_count=5)
    client = client_for(UserFactory())
    assert ids(client.get("/api/v1/music")) == [third.id, second.id, first.id]
    assert ids(client.get("/api/v1/music?ordering=-play_count")) == [second.id, third.id, first.id]
    assert ids(client.get("/api/v1/music?ordering=title")) == [third.id, first.id, second.id]


def test_pagination_shape():
    MusicTrackFactory.create_batch(3)
    body = client_for(UserFactory()).get("/api/v1/music?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2") and body["previous"] is None


def test_trailing_slash_is_optional(api_client):
    podcast = PodcastFactory()
    assert api_client.get("/api/v1/podcasts").status_code == 200
    assert api_client.get("/api/v1/podcasts/").status_code == 200
    assert api_client.get(f"/api/v1/podcasts/{podcast.id}").status_code == 200
    assert api_client.get(f"/api/v1/podcasts/{podcast.id}/").status_code == 200


def test_unknown_and_huge_ids_are_not_found(api_client):
    assert api_client.get("/api/v1/podcasts/999999").status_code == 404
    assert api_client.get(f"/api/v1/podcasts/{2**70}").status_code == 404
    assert api_client.get("/api/v1/podcasts/abc").status_code == 404


# --- bounded queries -----------------------------------------------------------------------


def _rich_catalogue(n: int, owner):
    category = CategoryFactory()
    for _ in range(n):
        podcast = PodcastFactory(owner=owner, category=category, thumbnail=ImageAssetFactory())
        RenditionFactory(asset=podcast.audio)
        RenditionFactory(
            asset=podcast.audio, name="download_standard", kind="download",
            path="downloads/aac_128k.m4a", size_bytes=1_900_000, duration_seconds=120.0,
        )  # fmt: skip
        video = PodcastFactory(owner=owner, audio=None, video=VideoAssetFactory(owner=owner))
        RenditionFactory(asset=video.video, name="poster", kind="poster")
        RenditionFactory(
            asset=video.video, name="download_high", kind="download", path="downloads/720p.mp4",
            size_bytes=40_000_000, duration_seconds=120.0, width=1280, height=720,
        )  # fmt: skip
        MovieFactory(owner=owner, poster=ImageAssetFactory(), category=category)
        MusicTrackFactory(owner=owner, category=category)
    for model, item_type in ((Podcast, "podcast"), (Movie, "movie"), (MusicTrack, "music")):
        PlayEvent.objects.bulk_create(
            PlayEvent(content_type=item_type, object_id=pk)
            for pk in model.objects.values_list("pk", flat=True)
        )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/podcasts?page_size=100",
        "/api/v1/podcasts?mine=true&page_size=100",
        "/api/v1/podcasts/most-played?page_size=100",
        "/api/v1/podcasts/trending?page_size=100",
        "/api/v1/movies?page_size=100",
        "/api/v1/movies/most-played?page_size=100",
        "/api/v1/music?page_size=100&ordering=-play_count",
        "/api/v1/music/trending?page_size=100",
    ],
)
def test_content_lists_run_a_bounded_number_of_queries(
    path, owner, moderator, django_assert_max_num_queries
):
    _rich_catalogue(8, owner)
    for client in (client_for(owner), client_for(moderator)):
        with django_assert_max_num_queries(10):
            response = client.get(path)
        assert response.status_code == 200
        if path == "/api/v1/podcasts?page_size=100":  # the downloads came with the page
            sizes = {d["size"] for item in response.json()["results"] for d in item["downloads"]}
            assert sizes == {1_900_000, 40_000_000}
