"""Playback progress, play counting (30 s, short items, once an hour), history, continue
watching, trending and most played."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import MusicTrack, PlaybackProgress, PlayEvent, Podcast
from cnt.models import ModerationStatus
from tests.catalog.conftest import ROLES
from tests.catalog.factories import MovieFactory, MusicTrackFactory, PodcastFactory
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def report(client, path, position, **extra):
    return client.post(f"{path}/progress", {"position": position, **extra}, format="json")


def test_progress_before_30_seconds_does_not_count(other):
    track = MusicTrackFactory(audio__duration_seconds=200)
    response = report(client_for(other), f"/api/v1/music/{track.id}", 29.5)
    assert response.status_code == 200
    assert response.json() == {
        "position": 29.5,
        "duration": 200.0,
        "is_completed": False,
        "counted": False,
        "plays_count": 0,
    }
    progress = PlaybackProgress.objects.get()
    assert (progress.user, progress.content_type, progress.object_id) == (other, "music", track.id)
    assert progress.position_seconds == 29.5 and progress.last_counted_at is None
    assert not PlayEvent.objects.exists()


def test_passing_30_seconds_counts_once_per_hour(other):
    podcast = PodcastFactory(audio__duration_seconds=600)
    client = client_for(other)
    path = f"/api/v1/podcasts/{podcast.id}"
    first = report(client, path, 30)
    assert first.json()["counted"] is True and first.json()["plays_count"] == 1
    assert report(client, path, 95).json() == {
        "position": 95.0,
        "duration": 600.0,
        "is_completed": False,
        "counted": False,
        "plays_count": 1,
    }
    assert report(client, path, 5).json()["counted"] is False
    progress = PlaybackProgress.objects.get()
    progress.last_counted_at = timezone.now() - timedelta(minutes=59)
    progress.save()
    assert report(client, path, 40).json()["counted"] is False
    progress.last_counted_at = timezone.now() - timedelta(minutes=61)
    progress.save()
    again = report(client, path, 40).json()
    assert again["counted"] is True and again["plays_count"] == 2
    podcast.refresh_from_db()
    assert podcast.play_count == 2
    events = PlayEvent.objects.filter(content_type="podcast", object_id=podcast.id, user=other)
    assert events.count() == 2


def test_each_listener_counts_separately():
    movie = MovieFactory()
    for user in UserFactory.create_batch(3):
        assert report(client_for(user), f"/api/v1/movies/{movie.id}", 31).json()["counted"]
    movie.refresh_from_db()
    assert movie.play_count == 3 and PlayEvent.objects.count() == 3


@pytest.mark.parametrize(
    ("duration", "position", "counted"),
    [(20, 18.5, False), (20, 19, True), (20, 20, True), (30, 29, True), (0.5, 0, False)],
)
def test_short_items_count_at_their_end(other, duration, position, counted):
    track = MusicTrackFactory(audio__duration_seconds=duration)
    body = report(client_for(other), f"/api/v1/music/{track.id}", position).json()
    assert body["counted"] is counted
    assert body["plays_count"] == (1 if counted else 0)


def test_completion_and_position_bounds(other):
    track = MusicTrackFactory(audio__duration_seconds=100)
    client = client_for(other)
    path = f"/api/v1/music/{track.id}"
    assert report(client, path, 95).json()["is_completed"] is True
    assert report(client, path, 105).status_code == 200
    too_far = report(client, path, 105.5)
    assert too_far.status_code == 400 and list(too_far.json()["errors"]) == ["position"]
    negative = report(client, path, -1)
    assert negative.status_code == 400 and list(negative.json()["errors"]) == ["position"]
    assert report(client, path, "NaN").status_code == 400
    assert PlaybackProgress.objects.get().position_seconds == 105


def test_client_duration_is_used_only_when_the_server_has_none(other):
    track = MusicTrackFactory(audio__duration_seconds=None, duration_seconds=0)
    client = client_for(other)
    body = report(client, f"/api/v1/music/{track.id}", 14, duration=15).json()
    assert body["duration"] == 15 and body["counted"] is True
    known = MusicTrackFactory(audio__duration_seconds=300)
    body = report(client, f"/api/v1/music/{known.id}", 12, duration=15).json()
    assert body["duration"] == 300 and body["counted"] is False


PROGRESS_EXPECTED = {
    ModerationStatus.APPROVED: {
        "anonymous": 401,
        "user": 200,
        "owner": 200,
        "moderator": 200,
        "admin": 200,
    },
    ModerationStatus.PENDING: {
        "anonymous": 401,
        "user": 404,
        "owner": 200,
        "moderator": 200,
        "admin": 200,
    },
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("state", [ModerationStatus.APPROVED, ModerationStatus.PENDING])
def test_progress_matrix_and_only_approved_plays_count(actor, state, owner):
    role, _, client = actor
    podcast = PodcastFactory(owner=owner, status=state)
    response = report(client, f"/api/v1/podcasts/{podcast.id}", 45)
    assert response.status_code == PROGRESS_EXPECTED[state][role]
    podcast.refresh_from_db()
    if response.status_code == 200:
        counted = state == ModerationStatus.APPROVED
        assert response.json()["counted"] is counted
        assert podcast.play_count == (1 if counted else 0)
        assert PlaybackProgress.objects.count() == 1
    else:
        assert podcast.play_count == 0
        assert not PlaybackProgress.objects.exists() and not PlayEvent.objects.exists()


# --- history and continue ------------------------------------------------------------------


def _played(user, obj, path, position, minutes_ago):
    report(client_for(user), f"{path}/{obj.id}", position)
    PlaybackProgress.objects.filter(user=user, object_id=obj.id).update(
        updated_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_history_and_continue(other, owner):
    finished = MusicTrackFactory(audio__duration_seconds=100)
    halfway = PodcastFactory(audio__duration_seconds=1000)
    started = MovieFactory(video__duration_seconds=5000)
    later_hidden = PodcastFactory(owner=owner)
    _played(other, finished, "/api/v1/music", 100, 1)
    _played(other, halfway, "/api/v1/podcasts", 500, 2)
    _played(other, started, "/api/v1/movies", 10, 3)
    _played(other, later_hidden, "/api/v1/podcasts", 50, 0)
    Podcast.objects.filter(pk=later_hidden.pk).update(status=ModerationStatus.REJECTED)
    _played(UserFactory(), halfway, "/api/v1/podcasts", 20, 0)

    client = client_for(other)
    history = client.get("/api/v1/me/history")
    assert history.status_code == 200
    body = history.json()
    assert body["count"] == 3
    assert [(row["type"], row["item"]["id"]) for row in body["results"]] == [
        ("music", finished.id),
        ("podcast", halfway.id),
        ("movie", started.id),
    ]
    first = body["results"][0]
    assert (first["position"], first["duration"], first["is_completed"]) == (100, 100, True)
    assert first["item"]["title"] == finished.title
    assert first["item"]["stream_type"] == "audio"

    resume = client.get("/api/v1/me/continue").json()
    assert [(row["type"], row["item"]["id"]) for row in resume["results"]] == [
        ("podcast", halfway.id),
        ("movie", started.id),
    ]
    assert resume["results"][0]["position"] == 500


def test_history_needs_sign_in(api_client):
    assert api_client.get("/api/v1/me/history").status_code == 401
    assert api_client.get("/api/v1/me/continue").status_code == 401


def test_history_lists_run_bounded_queries(other, django_assert_max_num_queries):
    for n in range(6):
        _played(other, PodcastFactory(), "/api/v1/podcasts", 40, n)
        _played(other, MovieFactory(), "/api/v1/movies", 40, n)
        _played(other, MusicTrackFactory(audio__duration_seconds=500), "/api/v1/music", 40, n)
    client = client_for(other)
    for path in ("/api/v1/me/history?page_size=100", "/api/v1/me/continue?page_size=100"):
        with django_assert_max_num_queries(12):
            response = client.get(path)
        assert response.json()["count"] == 18


# --- trending and most played --------------------------------------------------------------


def test_trending_counts_plays_of_the_last_7_days(api_client):
    old_favourite = MusicTrackFactory(play_count=1000)
    rising = MusicTrackFactory(play_count=3)
    steady = MusicTrackFactory(play_count=10)
    hidden = MusicTrackFactory(status=ModerationStatus.PENDING)
    MusicTrackFactory()  # never played
    now = timezone.now()

    def plays(track, count, days_ago):
        events = PlayEvent.objects.bulk_create(
            PlayEvent(content_type="music", object_id=track.id) for _ in range(count)
        )
        PlayEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            played_at=now - timedelta(days=days_ago)
        )

    plays(old_favourite, 50, 8)
    plays(old_favourite, 1, 1)
    plays(rising, 3, 1)
    plays(steady, 3, 6)
    plays(hidden, 10, 1)
    PlayEvent.objects.create(content_type="podcast", object_id=rising.id)

    response = api_client.get("/api/v1/music/trending")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        steady.id,
        rising.id,
        old_favourite.id,
    ]


def test_most_played(api_client):
    low = MusicTrackFactory(play_count=1)
    high = MusicTrackFactory(play_count=9)
    MusicTrackFactory(play_count=99, status=ModerationStatus.REJECTED)
    response = api_client.get("/api/v1/music/most-played/")
    assert [row["id"] for row in response.json()["results"]] == [high.id, low.id]
    assert response.json()["results"][0]["plays_count"] == 9


def test_plays_count_in_responses_follows_counting(other):
    track = MusicTrackFactory()
    report(client_for(other), f"/api/v1/music/{track.id}", 31)
    body = client_for(other).get(f"/api/v1/music/{track.id}").json()
    assert body["plays_count"] == 1
    assert MusicTrack.objects.get(pk=track.pk).play_count == 1
