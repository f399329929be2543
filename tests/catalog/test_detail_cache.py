"""GET {type}/{id} serves approved items' public JSON from the cache, and every change that
shows in it reaches the next reader: edits, moderation, media state, counted plays."""

import pytest
from django.core.cache import cache

from catalog import read_cache
from catalog.models import Artist, MusicTrack, PendingEdit
from cnt.models import ModerationStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import AssetFactory, make

pytestmark = pytest.mark.django_db
APPROVED = ModerationStatus.APPROVED


@pytest.fixture
def track(db):
    return make("music", title="Amazing Grace", status=APPROVED, audio=AssetFactory())


def url(obj) -> str:
    return f"/api/v1/music/{obj.pk}"


def moderator():
    user = UserFactory()
    user.groups.add(moderators_group())
    return user


def test_a_repeated_read_runs_no_query(api_client, track, django_assert_num_queries):
    first = api_client.get(url(track))
    with django_assert_num_queries(0):
        second = api_client.get(url(track))
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()


def test_an_edit_by_a_trusted_owner_shows_at_once(api_client, track):
    Artist.objects.update_or_create(
        user=track.owner, defaults={"name": "Choir", "is_trusted": True}
    )
    api_client.get(url(track))
    response = client_for(track.owner).patch(url(track), {"title": "Amazing Grace (Live)"})
    assert response.status_code == 200, response.content
    assert api_client.get(url(track)).json()["title"] == "Amazing Grace (Live)"


def test_an_edit_waiting_for_review_shows_once_approved(api_client, track):
    title = track.title
    api_client.get(url(track))
    response = client_for(track.owner).patch(url(track), {"title": "Amazing Grace (Live)"})
    assert response.status_code == 200, response.content
    assert api_client.get(url(track)).json()["title"] == title
    edit = PendingEdit.objects.get()
    response = client_for(moderator()).post(f"/api/v1/admin/edits/{edit.pk}/approve")
    assert response.status_code == 200, response.content
    assert api_client.get(url(track)).json()["title"] == "Amazing Grace (Live)"


def test_a_rejected_item_is_gone_at_once(api_client, track):
    assert api_client.get(url(track)).status_code == 200
    response = client_for(moderator()).post(
        f"/api/v1/admin/reject/music/{track.pk}", {"reason": "Not ours to publish."}
    )
    assert response.status_code == 200, response.content
    assert api_client.get(url(track)).status_code == 404
    assert client_for(UserFactory()).get(url(track)).status_code == 404


def test_a_deleted_item_is_gone_at_once(api_client, track):
    api_client.get(url(track))
    assert client_for(track.owner).delete(url(track)).status_code == 204
    assert api_client.get(url(track)).status_code == 404


def test_a_counted_play_shows_in_the_counter(api_client, track):
    listener = UserFactory()
    before = api_client.get(url(track)).json()["plays_count"]
    response = client_for(listener).post(
        f"{url(track)}/progress", {"position": 45, "duration": 200}, format="json"
    )
    assert response.status_code == 200 and response.json()["counted"] is True
    assert client_for(listener).get(url(track)).json()["plays_count"] == before + 1


def test_media_becoming_ready_shows_at_once(api_client, track):
    asset = track.audio
    type(asset).objects.filter(pk=asset.pk).update(status="processing")
    assert api_client.get(url(track)).json()["media_status"] == "processing"
    asset.refresh_from_db()
    asset.status = "ready"
    asset.save(update_fields=["status", "updated_at"])
    assert api_client.get(url(track)).json()["media_status"] == "ready"


def test_owners_and_moderators_are_never_served_the_public_copy(api_client, track):
    MusicTrack.objects.filter(pk=track.pk).update(rejection_reason="kept from an old review")
    api_client.get(url(track))  # cached for the public
    assert client_for(track.owner).get(url(track)).json()["rejection_reason"] == (
        "kept from an old review"
    )
    assert client_for(moderator()).get(url(track)).json()["rejection_reason"] == (
        "kept from an old review"
    )
    assert api_client.get(url(track)).json()["rejection_reason"] is None


def test_each_origin_gets_its_own_absolute_urls(api_client, track, settings):
    settings.ALLOWED_HOSTS = ["testserver", "cdn.example.com"]
    first = api_client.get(url(track), HTTP_HOST="testserver").json()["hls_url"]
    other = api_client.get(url(track), HTTP_HOST="cdn.example.com").json()["hls_url"]
    assert first.startswith("http://testserver/") and other.startswith("http://cdn.example.com/")


def test_pending_items_are_not_cached(track):
    pending = make("music", title="Pending", status=ModerationStatus.PENDING)
    assert client_for(pending.owner).get(url(pending)).status_code == 200
    assert cache.get(read_cache._key(MusicTrack, pending.pk)) is None


def test_a_ttl_of_zero_turns_the_cache_off(api_client, track, settings):
    settings.CATALOG_DETAIL_CACHE_SECONDS = 0
    api_client.get(url(track))
    assert cache.get(read_cache._key(MusicTrack, track.pk)) is None


def test_a_zero_padded_id_is_the_same_entry_and_is_busted_too(api_client, track):
    padded = f"/api/v1/music/0{track.pk}"
    assert api_client.get(padded).status_code == 200
    MusicTrack.objects.filter(pk=track.pk).first().delete()
    assert api_client.get(padded).status_code == 404
