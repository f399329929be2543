"""Playlists: owner CRUD, public listing, mixed items with exact positions, and no leaks of
private playlists or unapproved content."""

import pytest

from bible.models import BibleStory
from catalog.models import MusicTrack, Playlist, PlaylistItem
from cnt.models import ModerationStatus
from tests.catalog.conftest import ROLES
from tests.catalog.factories import (
    ImageAssetFactory,
    MovieFactory,
    MusicTrackFactory,
    PlaylistFactory,
    PodcastFactory,
    VideoAssetFactory,
    add_items,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PENDING = ModerationStatus.PENDING


def positions(playlist) -> list[tuple[int, int]]:
    return list(playlist.items.order_by("position").values_list("position", "id"))


def item_ids(response) -> list[int]:
    return [row["id"] for row in response.json()["items"]]


# --- CRUD ----------------------------------------------------------------------------------


def test_create_and_read_a_playlist(owner):
    cover = ImageAssetFactory(owner=owner)
    client = client_for(owner)
    response = client.post(
        "/api/v1/playlists",
        {"name": "Morning", "description": "Start", "is_public": True, "cover": str(cover.id)},
        format="json",
    )
    assert response.status_code == 201
    playlist = Playlist.objects.get()
    body = response.json()
    assert body == {
        "id": playlist.id,
        "name": "Morning",
        "description": "Start",
        "is_public": True,
        "owner": {"id": owner.id, "username": owner.username, "display_name": owner.display_name},
        "items_count": 0,
        "cover": str(cover.id),
        "cover_url": body["cover_url"],
        "cover_image": body["cover_image"],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "items": [],
    }
    assert str(cover.id) in body["cover_url"]
    assert (
        body["cover_image"]["url"] == body["cover_url"] and body["cover_image"]["renditions"] == []
    )
    assert playlist.owner == owner and playlist.is_public


def test_playlist_cover_must_be_an_own_image(owner):
    response = client_for(owner).post(
        "/api/v1/playlists", {"name": "X", "cover": str(ImageAssetFactory().id)}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["cover"]
    assert not Playlist.objects.exists()


def test_anonymous_cannot_create(api_client):
    assert api_client.post("/api/v1/playlists", {"name": "X"}).status_code == 401
    assert not Playlist.objects.exists()


def test_list_own_or_public_of_others(owner, other, api_client):
    mine_private = PlaylistFactory(owner=owner)
    mine_public = PlaylistFactory(owner=owner, is_public=True)
    theirs_public = PlaylistFactory(owner=other, is_public=True)
    PlaylistFactory(owner=other)
    client = client_for(owner)
    own = client.get("/api/v1/playlists").json()["results"]
    assert sorted(row["id"] for row in own) == sorted([mine_private.id, mine_public.id])
    public = client.get("/api/v1/playlists?public=true").json()["results"]
    assert [row["id"] for row in public] == [theirs_public.id]
    anonymous_public = api_client.get("/api/v1/playlists?public=true").json()["results"]
    assert sorted(row["id"] for row in anonymous_public) == sorted(
        [mine_public.id, theirs_public.id]
    )
    assert api_client.get("/api/v1/playlists").status_code == 401


READ_EXPECTED = {
    True: {"anonymous": 200, "user": 200, "owner": 200, "moderator": 200, "admin": 200},
    False: {"anonymous": 404, "user": 404, "owner": 200, "moderator": 404, "admin": 404},
}
WRITE_EXPECTED = {
    True: {"anonymous": 401, "user": 403, "owner": 200, "moderator": 403, "admin": 403},
    False: {"anonymous": 401, "user": 404, "owner": 200, "moderator": 404, "admin": 404},
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("is_public", [True, False])
def test_read_and_update_matrix(actor, is_public, owner):
    role, _, client = actor
    playlist = PlaylistFactory(owner=owner, is_public=is_public, name="Before")
    assert (
        client.get(f"/api/v1/playlists/{playlist.id}").status_code
        == (READ_EXPECTED[is_public][role])
    )
    response = client.patch(f"/api/v1/playlists/{playlist.id}", {"name": "After"}, format="json")
    assert response.status_code == WRITE_EXPECTED[is_public][role]
    playlist.refresh_from_db()
    assert playlist.name == ("After" if role == "owner" else "Before")


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("is_public", [True, False])
def test_delete_matrix(actor, is_public, owner):
    role, _, client = actor
    playlist = PlaylistFactory(owner=owner, is_public=is_public)
    add_items(playlist, MusicTrackFactory())
    response = client.delete(f"/api/v1/playlists/{playlist.id}")
    expected = 204 if role == "owner" else WRITE_EXPECTED[is_public][role]
    assert response.status_code == expected
    assert Playlist.objects.filter(pk=playlist.pk).exists() == (role != "owner")
    assert PlaylistItem.objects.count() == (0 if role == "owner" else 1)


# --- items ---------------------------------------------------------------------------------


def test_add_mixed_items_at_the_end(owner):
    playlist = PlaylistFactory(owner=owner)
    podcast, movie, track = PodcastFactory(), MovieFactory(), MusicTrackFactory()
    client = client_for(owner)
    url = f"/api/v1/playlists/{playlist.id}/items"
    added = [
        client.post(url, {"type": "podcast", "id": podcast.id}, format="json"),
        client.post(url, {"type": "movie", "id": movie.id}, format="json"),
        client.post(url + "/", {"type": "music", "id": track.id}, format="json"),
    ]
    assert [r.status_code for r in added] == [201, 201, 201]
    first = added[0].json()
    assert first["position"] == 0 and first["type"] == "podcast"
    assert first["item"]["id"] == podcast.id and first["item"]["type"] == "podcast"
    assert first["item"]["title"] == podcast.title
    assert first["item"]["hls_url"].endswith("/hls/master.m3u8")
    assert [r.json()["position"] for r in added] == [0, 1, 2]
    playlist.refresh_from_db()
    assert playlist.items_count == 3
    detail = client.get(f"/api/v1/playlists/{playlist.id}").json()
    assert [(row["type"], row["item"]["id"]) for row in detail["items"]] == [
        ("podcast", podcast.id),
        ("movie", movie.id),
        ("music", track.id),
    ]
    assert detail["items_count"] == 3


def test_the_same_item_twice_is_a_conflict(owner):
    playlist = PlaylistFactory(owner=owner)
    track = MusicTrackFactory()
    client = client_for(owner)
    url = f"/api/v1/playlists/{playlist.id}/items"
    assert client.post(url, {"type": "music", "id": track.id}, format="json").status_code == 201
    again = client.post(url, {"type": "music", "id": track.id}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_item"
    assert playlist.items.count() == 1
    playlist.refresh_from_db()
    assert playlist.items_count == 1


@pytest.mark.parametrize(
    "make_item",
    [
        lambda owner: ("music", 999999),
        lambda owner: ("music", MusicTrackFactory(status=ModerationStatus.PENDING).id),
        lambda owner: ("podcast", PodcastFactory(status=ModerationStatus.REJECTED).id),
        lambda owner: ("movie", MusicTrackFactory().id + 100000),
    ],
)
def test_unknown_and_hidden_items_get_the_same_error(owner, make_item):
    playlist = PlaylistFactory(owner=owner)
    item_type, pk = make_item(owner)
    response = client_for(owner).post(
        f"/api/v1/playlists/{playlist.id}/items", {"type": item_type, "id": pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"id": [f"No {item_type} with this id."]}
    assert not PlaylistItem.objects.exists()


def test_owners_may_add_their_own_pending_items(owner):
    playlist = PlaylistFactory(owner=owner)
    pending = PodcastFactory(owner=owner, status=PENDING)
    response = client_for(owner).post(
        f"/api/v1/playlists/{playlist.id}/items", {"type": "podcast", "id": pending.id}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("is_public", [True, False])
def test_add_item_matrix(actor, is_public, owner):
    role, _, client = actor
    playlist = PlaylistFactory(owner=owner, is_public=is_public)
    track = MusicTrackFactory()
    response = client.post(
        f"/api/v1/playlists/{playlist.id}/items", {"type": "music", "id": track.id}, format="json"
    )
    expected = 201 if role == "owner" else WRITE_EXPECTED[is_public][role]
    assert response.status_code == expected
    assert playlist.items.count() == (1 if role == "owner" else 0)


def test_removing_an_item_closes_the_gap(owner):
    playlist = PlaylistFactory(owner=owner)
    a, b, c, d = add_items(playlist, *MusicTrackFactory.create_batch(4))
    response = client_for(owner).delete(f"/api/v1/playlists/{playlist.id}/items/{b.id}")
    assert response.status_code == 204
    assert positions(playlist) == [(0, a.id), (1, c.id), (2, d.id)]
    playlist.refresh_from_db()
    assert playlist.items_count == 3
    missing = client_for(owner).delete(f"/api/v1/playlists/{playlist.id}/items/{b.id}")
    assert missing.status_code == 404


def test_items_of_another_playlist_cannot_be_removed_through_mine(owner, other):
    mine = PlaylistFactory(owner=owner)
    theirs = PlaylistFactory(owner=other)
    (item,) = add_items(theirs, MusicTrackFactory())
    response = client_for(owner).delete(f"/api/v1/playlists/{mine.id}/items/{item.id}")
    assert response.status_code == 404
    assert PlaylistItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_remove_item_matrix_on_a_public_playlist(actor, owner):
    role, _, client = actor
    playlist = PlaylistFactory(owner=owner, is_public=True)
    (item,) = add_items(playlist, MusicTrackFactory())
    response = client.delete(f"/api/v1/playlists/{playlist.id}/items/{item.id}")
    assert response.status_code == (204 if role == "owner" else WRITE_EXPECTED[True][role])
    assert PlaylistItem.objects.filter(pk=item.pk).exists() == (role != "owner")


def test_reorder(owner):
    playlist = PlaylistFactory(owner=owner)
    a, b, c = add_items(playlist, PodcastFactory(), MovieFactory(), MusicTrackFactory())
    client = client_for(owner)
    response = client.post(
        f"/api/v1/playlists/{playlist.id}/reorder", {"item_ids": [c.id, a.id, b.id]}, format="json"
    )
    assert response.status_code == 200
    assert item_ids(response) == [c.id, a.id, b.id]
    assert [row["position"] for row in response.json()["items"]] == [0, 1, 2]
    assert positions(playlist) == [(0, c.id), (1, a.id), (2, b.id)]


@pytest.mark.parametrize(
    "order", [lambda a, b, c: [a, b], lambda a, b, c: [a, b, c, c], lambda a, b, c: [a, b, 999]]
)
def test_reorder_needs_every_item_exactly_once(owner, order):
    playlist = PlaylistFactory(owner=owner)
    a, b, c = add_items(playlist, *MusicTrackFactory.create_batch(3))
    before = positions(playlist)
    response = client_for(owner).post(
        f"/api/v1/playlists/{playlist.id}/reorder",
        {"item_ids": order(a.id, b.id, c.id)},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["item_ids"]
    assert positions(playlist) == before


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_reorder_matrix(actor, owner):
    role, _, client = actor
    playlist = PlaylistFactory(owner=owner, is_public=True)
    a, b = add_items(playlist, *MusicTrackFactory.create_batch(2))
    response = client.post(
        f"/api/v1/playlists/{playlist.id}/reorder", {"item_ids": [b.id, a.id]}, format="json"
    )
    assert response.status_code == (200 if role == "owner" else WRITE_EXPECTED[True][role])
    expected = [(0, b.id), (1, a.id)] if role == "owner" else [(0, a.id), (1, b.id)]
    assert positions(playlist) == expected


# --- leaks ---------------------------------------------------------------------------------


def test_items_no_longer_visible_are_left_out_for_readers(owner, other, moderator):
    playlist = PlaylistFactory(owner=owner, is_public=True)
    visible = MusicTrackFactory()
    later_rejected = PodcastFactory()
    own_pending = MovieFactory(owner=owner, status=PENDING)
    first, second, third = add_items(playlist, visible, later_rejected, own_pending)
    later_rejected.status = ModerationStatus.REJECTED
    later_rejected.save()

    as_other = client_for(other).get(f"/api/v1/playlists/{playlist.id}").json()
    assert item_ids_of(as_other) == [first.id]
    as_owner = client_for(owner).get(f"/api/v1/playlists/{playlist.id}").json()
    assert item_ids_of(as_owner) == [first.id, third.id]
    as_moderator = client_for(moderator).get(f"/api/v1/playlists/{playlist.id}").json()
    assert item_ids_of(as_moderator) == [first.id, second.id, third.id]
    assert as_other["items_count"] == 3  # the stored count is exact; hidden rows are skipped


def item_ids_of(body) -> list[int]:
    return [row["id"] for row in body["items"]]


def test_reorder_keeps_hidden_items_after_the_visible_ones(owner):
    playlist = PlaylistFactory(owner=owner)
    a, hidden, b = add_items(playlist, MusicTrackFactory(), MusicTrackFactory(), MovieFactory())
    MusicTrack.objects.filter(pk=hidden.object_id).update(status=ModerationStatus.REJECTED)
    client = client_for(owner)
    with_hidden = client.post(
        f"/api/v1/playlists/{playlist.id}/reorder",
        {"item_ids": [b.id, hidden.id, a.id]},
        format="json",
    )
    assert with_hidden.status_code == 400
    response = client.post(
        f"/api/v1/playlists/{playlist.id}/reorder", {"item_ids": [b.id, a.id]}, format="json"
    )
    assert response.status_code == 200
    assert positions(playlist) == [(0, b.id), (1, a.id), (2, hidden.id)]


def test_a_private_playlist_is_never_visible_to_others(owner, other, api_client):
    playlist = PlaylistFactory(owner=owner)
    add_items(playlist, MusicTrackFactory())
    for client in (client_for(other), api_client):
        assert client.get(f"/api/v1/playlists/{playlist.id}").status_code == 404
        public = client.get("/api/v1/playlists?public=true").json()["results"]
        assert playlist.id not in [row["id"] for row in public]
    assert playlist.id not in [
        row["id"] for row in client_for(other).get("/api/v1/playlists").json()["results"]
    ]


def test_playlist_lists_and_detail_run_bounded_queries(owner, django_assert_max_num_queries):
    for _ in range(10):
        playlist = PlaylistFactory(owner=owner, is_public=True, cover_image=ImageAssetFactory())
    add_items(
        playlist,
        *PodcastFactory.create_batch(5),
        *MovieFactory.create_batch(5),
        *MusicTrackFactory.create_batch(5),
        *MusicTrackFactory.create_batch(3, status=PENDING),
    )
    client = client_for(owner)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/playlists?page_size=100").json()["count"] == 10
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/playlists?public=true").status_code == 200
    with django_assert_max_num_queries(14):
        detail = client.get(f"/api/v1/playlists/{playlist.id}").json()
    assert len(detail["items"]) == 15


def test_bible_stories_follow_the_same_rules(owner, other):
    story = BibleStory.objects.create(
        owner=other,
        title="Jonah",
        video=VideoAssetFactory(owner=other),
        status=ModerationStatus.APPROVED,
    )
    hidden = BibleStory.objects.create(owner=other, title="Draft", status=PENDING)
    playlist = PlaylistFactory(owner=owner, is_public=True)
    client = client_for(owner)
    url = f"/api/v1/playlists/{playlist.id}/items"
    added = client.post(url, {"type": "bible_story", "id": story.id}, format="json")
    assert added.status_code == 201
    item = added.json()["item"]
    assert (item["type"], item["id"], item["artist"], item["stream_type"]) == (
        "bible_story",
        story.id,
        None,
        "video",
    )
    refused = client.post(url, {"type": "bible_story", "id": hidden.id}, format="json")
    assert refused.status_code == 400
    detail = client_for(other).get(f"/api/v1/playlists/{playlist.id}").json()
    assert [row["item"]["title"] for row in detail["items"]] == ["Jonah"]
