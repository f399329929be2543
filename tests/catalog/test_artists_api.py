"""Artists: public profiles with counts of approved items, follow/unfollow, followers and the
caller's followed artists."""

import pytest

from catalog.models import Artist, ArtistFollower
from cnt.models import ModerationStatus
from tests.catalog.conftest import ROLES
from tests.catalog.factories import (
    ArtistFactory,
    ImageAssetFactory,
    MovieFactory,
    MusicTrackFactory,
    PodcastFactory,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_artist_counts_only_approved_items(api_client, owner):
    artist = ArtistFactory(user=owner, name="Grace Choir", is_verified=True)
    PodcastFactory.create_batch(2, owner=owner)
    PodcastFactory(owner=owner, status=ModerationStatus.PENDING)
    MovieFactory(owner=owner, status=ModerationStatus.REJECTED)
    MusicTrackFactory(owner=owner)
    response = api_client.get(f"/api/v1/artists/{artist.id}")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": artist.id,
        "name": "Grace Choir",
        "bio": "",
        "is_verified": True,
        "followers_count": 0,
        "podcasts_count": 2,
        "movies_count": 0,
        "music_count": 1,
        "is_following": False,
        "cover_url": None,
        "cover_image": None,
        "created_at": body["created_at"],
    }


def test_artist_list_and_is_following(owner, other):
    followed = ArtistFactory(name="A")
    ArtistFactory(name="B", cover_image=ImageAssetFactory())
    ArtistFollower.objects.create(artist=followed, user=other)
    body = client_for(other).get("/api/v1/artists").json()
    assert [(row["name"], row["is_following"]) for row in body["results"]] == [
        ("A", True),
        ("B", False),
    ]
    assert body["results"][1]["cover_url"].endswith("/original")


def test_artist_content_is_listed_with_the_artist_filter(api_client, owner):
    artist = ArtistFactory(user=owner)
    mine = MusicTrackFactory(owner=owner)
    MusicTrackFactory()
    MusicTrackFactory(owner=owner, status=ModerationStatus.PENDING)
    response = api_client.get(f"/api/v1/music?artist={artist.id}")
    assert [row["id"] for row in response.json()["results"]] == [mine.id]


FOLLOW_EXPECTED = {"anonymous": 401, "user": 201, "owner": 400, "moderator": 201, "admin": 201}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_follow_matrix(actor, owner):
    role, user, client = actor
    artist = ArtistFactory(user=owner)
    response = client.post(f"/api/v1/artists/{artist.id}/follow")
    assert response.status_code == FOLLOW_EXPECTED[role]
    artist.refresh_from_db()
    if response.status_code == 201:
        assert response.json() == {"is_following": True, "followers_count": 1}
        assert artist.followers_count == 1
        assert ArtistFollower.objects.filter(artist=artist, user=user).exists()
    else:
        assert artist.followers_count == 0 and not ArtistFollower.objects.exists()
    if role == "owner":
        assert response.json()["code"] == "cannot_follow_self"


def test_follow_and_unfollow_are_idempotent(other):
    artist = ArtistFactory()
    client = client_for(other)
    assert client.post(f"/api/v1/artists/{artist.id}/follow").status_code == 201
    again = client.post(f"/api/v1/artists/{artist.id}/follow/")
    assert again.status_code == 200
    assert again.json() == {"is_following": True, "followers_count": 1}
    assert ArtistFollower.objects.filter(artist=artist).count() == 1
    assert client.delete(f"/api/v1/artists/{artist.id}/follow").status_code == 204
    assert client.delete(f"/api/v1/artists/{artist.id}/follow").status_code == 204
    artist.refresh_from_db()
    assert artist.followers_count == 0 and not ArtistFollower.objects.exists()


def test_unfollow_by_anonymous_changes_nothing(api_client, other):
    artist = ArtistFactory()
    client_for(other).post(f"/api/v1/artists/{artist.id}/follow")
    assert api_client.delete(f"/api/v1/artists/{artist.id}/follow").status_code == 401
    artist.refresh_from_db()
    assert artist.followers_count == 1 and ArtistFollower.objects.count() == 1


def test_follow_unknown_artist_is_not_found(other):
    assert client_for(other).post("/api/v1/artists/999999/follow").status_code == 404
    assert not ArtistFollower.objects.exists()


def test_followers_count_heals_from_drift(other):
    artist = ArtistFactory(followers_count=7)
    response = client_for(other).post(f"/api/v1/artists/{artist.id}/follow")
    assert response.json()["followers_count"] == 1
    artist.refresh_from_db()
    assert artist.followers_count == 1


def test_followers_newest_first(api_client):
    artist = ArtistFactory()
    users = UserFactory.create_batch(3)
    for user in users:
        client_for(user).post(f"/api/v1/artists/{artist.id}/follow")
    users[0].avatar = ImageAssetFactory(owner=users[0])
    users[0].save()
    response = api_client.get(f"/api/v1/artists/{artist.id}/followers")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [u.id for u in reversed(users)]
    assert set(rows[0]) == {
        "id",
        "username",
        "display_name",
        "avatar_url",
        "avatar_image",
        "followed_at",
    }
    assert rows[0]["avatar_url"] is None and rows[2]["avatar_url"].endswith("/original")
    assert rows[0]["avatar_image"] is None
    assert rows[2]["avatar_image"]["url"] == rows[2]["avatar_url"]  # no renditions yet


def test_me_following(api_client, other):
    first, second = ArtistFactory(name="First"), ArtistFactory(name="Second")
    ArtistFactory()
    client = client_for(other)
    client.post(f"/api/v1/artists/{first.id}/follow")
    client.post(f"/api/v1/artists/{second.id}/follow")
    response = client.get("/api/v1/me/following")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["artist"]["id"] for row in body["results"]] == [second.id, first.id]
    assert body["results"][0]["artist"] == {
        "id": second.id,
        "name": "Second",
        "is_verified": False,
        "followers_count": 1,
        "cover_url": None,
        "cover_image": None,
    }
    assert api_client.get("/api/v1/me/following").status_code == 401


def test_artist_lists_run_bounded_queries(other, django_assert_max_num_queries):
    artists = [ArtistFactory(cover_image=ImageAssetFactory()) for _ in range(12)]
    for artist in artists:
        PodcastFactory(owner=artist.user)
        ArtistFollower.objects.create(artist=artist, user=other)
    for artist in artists[:3]:
        for user in UserFactory.create_batch(5, avatar=None):
            ArtistFollower.objects.create(artist=artist, user=user)
    client = client_for(other)
    for path in (
        "/api/v1/artists?page_size=100",
        "/api/v1/artists?ordering=-followers_count&page_size=100",
        "/api/v1/me/following?page_size=100",
        f"/api/v1/artists/{artists[0].id}/followers?page_size=100",
    ):
        with django_assert_max_num_queries(6):
            response = client.get(path)
        assert response.status_code == 200 and response.json()["count"] >= 6


def test_artist_profile_is_public_and_read_only(api_client, owner):
    artist = ArtistFactory(user=owner, name="Before")
    assert client_for(owner).patch(f"/api/v1/artists/{artist.id}", {"name": "X"}).status_code == 405
    assert api_client.delete(f"/api/v1/artists/{artist.id}").status_code == 401
    assert Artist.objects.get().name == "Before"
