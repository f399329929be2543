"""Concurrent requests on PostgreSQL (real transactions, one connection per thread): counters
stay exact, duplicates never appear, positions stay unique and dense."""

import pytest
from django.db import connection

from catalog.models import ArtistFollower, PlaybackProgress, PlayEvent, PlaylistItem
from tests.catalog.factories import ArtistFactory, MusicTrackFactory, PlaylistFactory
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_runs_on_postgresql():
    # The suite runs on PostgreSQL (make test); these tests prove its row locks.
    assert connection.vendor == "postgresql"


# Calls per test; they run on tests.concurrency.WORKERS threads (and pooled connections) at once.
CALLS = 24


def test_concurrent_follows_by_many_users_keep_the_count_exact():
    artist = ArtistFactory()
    clients = [client_for(user) for user in UserFactory.create_batch(CALLS)]
    url = f"/api/v1/artists/{artist.id}/follow"
    responses = run_concurrently([lambda c=c: c.post(url) for c in clients])
    assert [r.status_code for r in responses] == [201] * CALLS
    artist.refresh_from_db()
    assert artist.followers_count == ArtistFollower.objects.filter(artist=artist).count() == CALLS

    half = clients[: CALLS // 2]
    responses = run_concurrently([lambda c=c: c.delete(url) for c in half])
    assert [r.status_code for r in responses] == [204] * len(half)
    artist.refresh_from_db()
    assert artist.followers_count == ArtistFollower.objects.count() == CALLS - len(half)


def test_one_user_following_many_times_at_once_makes_one_row():
    artist = ArtistFactory()
    user = UserFactory()
    clients = [client_for(user) for _ in range(CALLS)]
    url = f"/api/v1/artists/{artist.id}/follow"
    responses = run_concurrently([lambda c=c: c.post(url) for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (CALLS - 1) + [201]
    assert {r.json()["followers_count"] for r in responses} == {1}
    artist.refresh_from_db()
    assert artist.followers_count == 1 and ArtistFollower.objects.count() == 1


def test_mixed_follow_and_unfollow_storm_ends_consistent():
    artist = ArtistFactory()
    clients = [client_for(user) for user in UserFactory.create_batch(CALLS // 2)]
    url = f"/api/v1/artists/{artist.id}/follow"
    calls = [lambda c=c: c.post(url) for c in clients] + [
        lambda c=c: c.delete(url) for c in clients
    ]
    responses = run_concurrently(calls)
    assert all(r.status_code in (200, 201, 204) for r in responses)
    artist.refresh_from_db()
    assert artist.followers_count == ArtistFollower.objects.filter(artist=artist).count()


def test_concurrent_progress_reports_count_one_play():
    track = MusicTrackFactory(audio__duration_seconds=300)
    user = UserFactory()
    clients = [client_for(user) for _ in range(CALLS)]
    url = f"/api/v1/music/{track.id}/progress"
    responses = run_concurrently(
        [
            lambda n=n, c=c: c.post(url, {"position": 40 + n}, format="json")
            for n, c in enumerate(clients)
        ]
    )
    assert [r.status_code for r in responses] == [200] * CALLS
    assert sum(r.json()["counted"] for r in responses) == 1
    track.refresh_from_db()
    assert track.play_count == 1 and PlayEvent.objects.count() == 1
    assert PlaybackProgress.objects.count() == 1


def test_concurrent_listeners_are_all_counted():
    track = MusicTrackFactory(audio__duration_seconds=300)
    clients = [client_for(user) for user in UserFactory.create_batch(CALLS)]
    url = f"/api/v1/music/{track.id}/progress"
    responses = run_concurrently(
        [lambda c=c: c.post(url, {"position": 31}, format="json") for c in clients]
    )
    assert all(r.json()["counted"] for r in responses)
    track.refresh_from_db()
    assert track.play_count == CALLS == PlayEvent.objects.count()


def test_concurrent_adds_get_dense_unique_positions_and_no_duplicates():
    owner = UserFactory()
    playlist = PlaylistFactory(owner=owner)
    tracks = MusicTrackFactory.create_batch(CALLS)
    clients = [client_for(owner) for _ in range(CALLS + 4)]
    url = f"/api/v1/playlists/{playlist.id}/items"
    targets = [*tracks, *[tracks[0]] * 4]
    calls = [
        lambda t=t, c=c: c.post(url, {"type": "music", "id": t.id}, format="json")
        for t, c in zip(targets, clients, strict=True)
    ]
    responses = run_concurrently(calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * CALLS + [409] * 4
    assert sorted(playlist.items.values_list("position", flat=True)) == list(range(CALLS))
    assert PlaylistItem.objects.filter(content_type="music", object_id=tracks[0].pk).count() == 1
    playlist.refresh_from_db()
    assert playlist.items_count == CALLS
