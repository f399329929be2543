"""Every registered content kind is covered by every consumer of the registry: search finds
it, progress counts a play and shows in history and resume, a playlist accepts it, the
dashboard counts it, and the moderators group may change it."""

import pytest
from django.contrib.auth.models import Group

from accounts.policies import MODERATION_PERMISSIONS, MODERATORS_GROUP, is_moderator
from catalog import kinds
from catalog.models import ContentType, PlayEvent, PlaylistItemType
from catalog.moderators import moderators_group_sync
from catalog.search import SearchType
from tests.bible.factories import StoryFactory
from tests.catalog.factories import MovieFactory, MusicTrackFactory, PlaylistFactory, PodcastFactory
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The API collection of each playable kind, and how a test makes an approved item of it.
PATHS = {
    "podcast": "/api/v1/podcasts",
    "movie": "/api/v1/movies",
    "music": "/api/v1/music",
    "bible_story": "/api/v1/bible/stories",
}
FACTORIES = {
    "podcast": PodcastFactory,
    "movie": MovieFactory,
    "music": MusicTrackFactory,
    "bible_story": StoryFactory,
}
PLAYABLE = [kind.name for kind in kinds.playable_kinds()]


def test_the_registry_lists_each_kind_once_in_queue_order():
    names = [kind.name for kind in kinds.kinds()]
    assert names == ["podcast", "movie", "music", "bible_story", "community_post"]
    assert ContentType.values == names
    assert PlaylistItemType.values == ["podcast", "movie", "music", "bible_story"]
    assert [t for t in SearchType.values if t != "artist"] == PLAYABLE
    # A new playable kind must be given a path and a factory here to be covered below.
    assert set(PATHS) == set(FACTORIES) == set(PLAYABLE)


def test_a_kind_is_declared_once():
    podcast = kinds.kind_get("podcast")
    with pytest.raises(ValueError, match="declared twice"):
        kinds.kind_register(
            kinds.ContentKind(name="podcast", label="x", model_label="a.B", position=1)
        )
    assert kinds.kind_get("podcast") is podcast
    with pytest.raises(kinds.UnknownContentKind):
        kinds.kind_get("sermon")


def _approved(name, **fields):
    return FACTORIES[name](**fields)


@pytest.mark.parametrize("name", PLAYABLE)
def test_search_finds_every_searchable_kind(name, api_client):
    item = _approved(name, title="Zebulun harvest song")
    _approved(name, title="Unrelated")
    response = api_client.get("/api/v1/search", {"q": "zebulun", "type": name})
    assert response.status_code == 200, response.content
    assert [(hit["type"], hit["id"]) for hit in response.json()["results"]] == [(name, item.pk)]
    everything = api_client.get("/api/v1/search", {"q": "zebulun"}).json()["results"]
    assert (name, item.pk) in [(hit["type"], hit["id"]) for hit in everything]


@pytest.mark.parametrize("name", PLAYABLE)
def test_progress_counts_a_play_and_shows_in_history_and_resume(name):
    item = _approved(name)
    listener = UserFactory()
    client = client_for(listener)
    response = client.post(
        f"{PATHS[name]}/{item.pk}/progress", {"position": 40, "duration": 600}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["counted"] is True
    assert response.json()["plays_count"] == 1
    assert PlayEvent.objects.filter(content_type=name, object_id=item.pk).count() == 1
    item.refresh_from_db()
    assert item.play_count == 1
    for path in ("/api/v1/me/history", "/api/v1/me/continue"):
        rows = client.get(path).json()["results"]
        assert [(row["type"], row["item"]["id"]) for row in rows] == [(name, item.pk)]


@pytest.mark.parametrize("name", PLAYABLE)
def test_a_playlist_accepts_every_playlist_kind_and_deleting_the_item_removes_it(name):
    owner = UserFactory()
    playlist = PlaylistFactory(owner=owner)
    item = _approved(name)
    client = client_for(owner)
    response = client.post(
        f"/api/v1/playlists/{playlist.pk}/items", {"type": name, "id": item.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    body = client.get(f"/api/v1/playlists/{playlist.pk}").json()
    assert [(row["type"], row["item"]["id"]) for row in body["items"]] == [(name, item.pk)]
    again = client.post(
        f"/api/v1/playlists/{playlist.pk}/items", {"type": name, "id": item.pk}, format="json"
    )
    assert again.status_code == 409
    item.delete()
    playlist.refresh_from_db()
    assert playlist.items_count == 0
    assert not playlist.items.exists()


def test_a_playlist_refuses_a_kind_that_is_not_played():
    owner = UserFactory()
    playlist = PlaylistFactory(owner=owner)
    response = client_for(owner).post(
        f"/api/v1/playlists/{playlist.pk}/items", {"type": "community_post", "id": 1}, format="json"
    )
    assert response.status_code == 400
    assert not playlist.items.exists()


def test_the_dashboard_counts_every_kind(admin_client_api):
    for name in PLAYABLE:
        _approved(name)
    content = admin_client_api.get("/api/v1/admin/dashboard").json()["content"]
    assert set(content) == {kind.name for kind in kinds.kinds()}
    for name in PLAYABLE:
        assert content[name]["approved"] == 1


@pytest.mark.parametrize("kind", kinds.kinds(), ids=lambda kind: kind.name)
def test_the_moderators_group_may_change_every_kind(kind):
    assert kind.moderation_permission in MODERATION_PERMISSIONS
    group = moderators_group_sync()
    assert group.name == MODERATORS_GROUP
    member = UserFactory()
    member.groups.add(group)
    member = type(member).objects.get(pk=member.pk)  # fresh permission cache
    assert member.has_perm(kind.moderation_permission)
    model_name = kind.model._meta.model_name
    assert member.has_perm(f"{kind.model._meta.app_label}.view_{model_name}")
    assert is_moderator(member)


def test_the_group_is_kept_in_step_by_migrate():
    group = Group.objects.get(name=MODERATORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    for kind in kinds.kinds():
        assert f"change_{kind.model._meta.model_name}" in codenames
