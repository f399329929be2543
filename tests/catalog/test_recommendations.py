"""Recommendations: co-occurrence over plays and saves (incremental update past a watermark),
blended with followed artists and categories, diversified by artist, trending for new
listeners; `me/recommendations` and `{type}/{id}/related`."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import kinds
from catalog.models import ArtistFollower, PlaybackProgress, PlayEvent
from catalog.recommendations.models import CoOccurrence, Engagement, Neighbour, Watermark
from catalog.recommendations.services import recommendations_update
from catalog.recommendations.tasks import update as update_task
from catalog.services.artists import artist_unfollow
from cnt.models import ModerationStatus
from tests.catalog.factories import (
    CategoryFactory,
    MusicTrackFactory,
    PlaylistFactory,
    PodcastFactory,
    add_items,
)
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import make

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/recommendations"


@pytest.fixture(autouse=True)
def settle_at_once(settings):
    settings.RECOMMENDATIONS_SETTLE_SECONDS = 0


def type_of(obj) -> str:
    return kinds.kind_for(obj).name


def play(user, obj, *, completed=True):
    """A counted play, as the progress endpoint records it."""
    PlayEvent.objects.create(user=user, content_type=type_of(obj), object_id=obj.pk)
    PlaybackProgress.objects.update_or_create(
        user=user,
        content_type=type_of(obj),
        object_id=obj.pk,
        defaults={"position_seconds": 100, "duration_seconds": 120, "is_completed": completed},
    )


def listeners_of(items, count=4):
    users = UserFactory.create_batch(count)
    for user in users:
        for item in items:
            play(user, item)
    return users


def ids(response, reason=None):
    assert response.status_code == 200, response.content
    return [
        (row["item"]["type"], row["item"]["id"])
        for row in response.json()["results"]
        if reason is None or row["reason"] == reason
    ]


def ref(obj):
    return (type_of(obj), obj.pk)


@pytest.fixture
def clusters():
    """Two taste clusters of four tracks each (one artist per track), each played in full by
    its own four listeners."""
    hymns = MusicTrackFactory.create_batch(4)
    gospel = MusicTrackFactory.create_batch(4)
    listeners_of(hymns)
    listeners_of(gospel)
    return hymns, gospel


def test_recommendations_follow_what_similar_listeners_played(clusters):
    hymns, gospel = clusters
    listener = UserFactory()
    play(listener, hymns[0])
    recommendations_update()
    got = ids(client_for(listener).get(URL))
    # The other three hymns first, as "similar"; the finished hymn never.
    assert set(got[:3]) == {ref(t) for t in hymns[1:]}
    assert ids(client_for(listener).get(URL), "similar") == got[:3]
    assert ref(hymns[0]) not in got
    # The other cluster only as trending filler, after every similar item.
    assert {ref(t) for t in gospel} <= set(got[3:])


def test_finished_own_and_unapproved_items_are_left_out(clusters):
    hymns, _ = clusters
    listener = UserFactory()
    play(listener, hymns[0])
    play(listener, hymns[1])  # finished
    play(listener, hymns[2], completed=False)  # started, not finished: still recommended
    pending = MusicTrackFactory(status=ModerationStatus.PENDING)
    mine = MusicTrackFactory(owner=listener)
    for user in UserFactory.create_batch(3):
        for item in (hymns[0], pending, mine):
            play(user, item)
    recommendations_update()
    got = ids(client_for(listener).get(URL))
    assert ref(hymns[1]) not in got and ref(hymns[0]) not in got
    assert ref(hymns[2]) in got and ref(hymns[3]) in got
    assert ref(pending) not in got and ref(mine) not in got


def test_at_most_two_items_per_artist(settings):
    seed = MusicTrackFactory()
    prolific = MusicTrackFactory.create_batch(5, owner=UserFactory())
    others = MusicTrackFactory.create_batch(3)
    listeners_of([seed, *prolific, *others])
    listener = UserFactory()
    play(listener, seed)
    recommendations_update()
    got = ids(client_for(listener).get(URL))
    assert len([item for item in got if item in {ref(t) for t in prolific}]) == 2
    assert {ref(t) for t in others} <= set(got)
    settings.RECOMMENDATIONS_PER_ARTIST = 3
    got = ids(client_for(listener).get(URL))
    assert len([item for item in got if item in {ref(t) for t in prolific}]) == 3


def test_new_listeners_get_trending():
    quiet, busy, busier = MusicTrackFactory.create_batch(3)
    listeners_of([busier], count=3)
    listeners_of([busy], count=2)
    pending = MusicTrackFactory(status=ModerationStatus.PENDING)
    listeners_of([pending], count=5)
    newcomer = UserFactory()
    # Before any update run, straight from the catalogue; after one, from its snapshot.
    before = client_for(newcomer).get(URL)
    assert ids(before, "trending")[:2] == [ref(busier), ref(busy)]
    recommendations_update()
    response = client_for(newcomer).get(URL)
    assert ids(response) == ids(response, "trending")
    assert ids(response)[:3] == [ref(busier), ref(busy), ref(quiet)]
    assert ref(pending) not in ids(response)


def test_followed_artists_and_favourite_categories_are_blended_in(clusters):
    hymns, _ = clusters
    choral = CategoryFactory()
    hymns[0].category = choral
    hymns[0].save()
    in_category = MusicTrackFactory(category=choral)
    followed = MusicTrackFactory()
    listener = UserFactory()
    ArtistFollower.objects.create(user=listener, artist=followed.artist)
    play(listener, hymns[0])
    recommendations_update()
    response = client_for(listener).get(URL)
    assert ids(response, "followed_artist") == [ref(followed)]
    assert ids(response, "category") == [ref(in_category)]
    got = ids(response)
    # Personal reasons before trending filler.
    first_trending = got.index(ids(response, "trending")[0])
    assert got.index(ref(in_category)) < first_trending
    assert got.index(ref(followed)) < first_trending


def test_type_filter_and_bad_input():
    track = MusicTrackFactory()
    podcast = PodcastFactory()
    listeners_of([track, podcast], count=2)
    listener = UserFactory()
    recommendations_update()
    client = client_for(listener)
    assert ids(client.get(URL, {"type": "podcast"})) == [ref(podcast)]
    bad = client.get(URL, {"type": "sermon"})
    assert bad.status_code == 400 and "type" in str(bad.json())
    assert client.get(URL, {"page_size": 0}).status_code == 400
    assert APIClient().get(URL).status_code == 401


def test_every_playable_kind_at_once():
    """Kinds with and without artists in one list (one statement over all of them)."""
    category = CategoryFactory()
    story = make("bible_story", status=ModerationStatus.APPROVED, category=category)
    movie = make("movie", status=ModerationStatus.APPROVED, category=category)
    track, podcast = MusicTrackFactory(category=category), PodcastFactory(category=category)
    listeners_of([story, movie, track, podcast], count=2)
    listener = UserFactory()
    play(listener, track)
    recommendations_update()
    client = client_for(listener)
    assert set(ids(client.get(URL), "similar")) == {ref(story), ref(movie), ref(podcast)}
    assert ids(client.get(URL, {"type": "bible_story"})) == [ref(story)]
    related = ids(APIClient().get(f"/api/v1/bible_story/{story.pk}/related"), "similar")
    assert set(related) == {ref(movie), ref(track), ref(podcast)}


def test_related_items(clusters):
    hymns, gospel = clusters
    same_artist = MusicTrackFactory(owner=hymns[0].owner)
    # Before any update run: no neighbours yet, the artist's other items.
    response = client_for(UserFactory()).get(f"/api/v1/music/{hymns[0].pk}/related")
    assert ids(response) == ids(response, "artist") == [ref(same_artist)]
    recommendations_update()
    response = APIClient().get(f"/api/v1/music/{hymns[0].pk}/related")
    assert set(ids(response, "similar")) == {ref(t) for t in hymns[1:]}
    assert ids(response, "artist") == [ref(same_artist)]
    assert ref(hymns[0]) not in ids(response)
    assert not set(ids(response)) & {ref(t) for t in gospel}
    hidden = MusicTrackFactory(status=ModerationStatus.PENDING)
    assert APIClient().get(f"/api/v1/music/{hidden.pk}/related").status_code == 404
    assert client_for(hidden.owner).get(f"/api/v1/music/{hidden.pk}/related").status_code == 200
    assert APIClient().get(f"/api/v1/sermon/{hymns[0].pk}/related").status_code == 404
    assert APIClient().get(f"/api/v1/community_post/{hymns[0].pk}/related").status_code == 404


def test_update_processes_only_new_events(clusters):
    hymns, gospel = clusters
    first = recommendations_update()
    assert first.plays == 32 and first.engagements == 32
    mark = Watermark.objects.get()
    assert mark.last_play_id == PlayEvent.objects.latest("id").id
    pair = CoOccurrence.objects.get(
        item_type="music", item_id=hymns[0].pk, other_type="music", other_id=hymns[1].pk
    )
    assert pair.listeners == 4
    assert not CoOccurrence.objects.filter(item_id=hymns[0].pk, other_id=gospel[0].pk).exists()
    # Nothing new: nothing done, nothing changed.
    again = recommendations_update()
    assert (again.runs, again.plays, again.engagements) == (0, 0, 0)
    assert Watermark.objects.get().batch == mark.batch
    # One more listener of two hymns (and a replay an hour later, not a new engagement).
    newcomer = UserFactory()
    play(newcomer, hymns[0])
    play(newcomer, hymns[1])
    play(newcomer, hymns[1])
    third = recommendations_update()
    assert (third.runs, third.plays, third.engagements) == (1, 3, 2)
    pair.refresh_from_db()
    assert pair.listeners == 5 and pair.batch == mark.batch + 1
    untouched = CoOccurrence.objects.get(item_id=hymns[2].pk, other_id=hymns[3].pk)
    assert untouched.listeners == 4 and untouched.batch == mark.batch
    assert Engagement.objects.filter(user=newcomer).count() == 2
    # Neighbours are per item, best first, and only for items that have co-listeners.
    neighbours = list(
        Neighbour.objects.filter(item_id=hymns[0].pk)
        .order_by("-score")
        .values_list("other_id", flat=True)
    )
    assert neighbours[0] == hymns[1].pk and set(neighbours) == {t.pk for t in hymns[1:]}


def test_young_events_wait_for_the_next_run(settings):
    settings.RECOMMENDATIONS_SETTLE_SECONDS = 60
    track, other = MusicTrackFactory.create_batch(2)
    user = UserFactory()
    play(user, track)
    play(user, other)
    assert recommendations_update().plays == 0
    PlayEvent.objects.update(played_at=timezone.now() - timedelta(minutes=2))
    assert recommendations_update().plays == 2


def test_runs_are_batched_and_saves_count_as_engagements():
    tracks = MusicTrackFactory.create_batch(3)
    users = UserFactory.create_batch(3)
    for user in users:
        add_items(PlaylistFactory(owner=user), *tracks)
    result = recommendations_update(limit=4)
    assert (result.saves, result.engagements, result.runs) == (9, 9, 3)
    pair = CoOccurrence.objects.get(item_id=tracks[0].pk, other_id=tracks[2].pk)
    assert pair.listeners == 3
    # A listener's saves are seeds of their own recommendations.
    fan = UserFactory()
    add_items(PlaylistFactory(owner=fan), tracks[0])
    update_task.delay()
    got = ids(client_for(fan).get(URL, {"type": "music"}), "similar")
    assert set(got) == {ref(tracks[1]), ref(tracks[2])}


def test_recommendation_queries_are_bounded(django_assert_max_num_queries):
    category = CategoryFactory()
    items = [MusicTrackFactory(category=category) for _ in range(12)]
    items += [PodcastFactory(category=category) for _ in range(6)]
    listeners_of(items, count=3)
    listener = UserFactory()
    ArtistFollower.objects.create(user=listener, artist=items[5].artist)
    play(listener, items[0])
    play(listener, items[-1])
    recommendations_update()
    client = client_for(listener)
    # Per list: the user, one query for every candidate and its facts, and the content of
    # the page's items that are not cached yet (two per kind); once, which kinds have
    # content (one per kind). Per related list: the user and their roles (three), the item,
    # its candidates, the page's content. The same for a page of 5 as for a page of 40.
    for size in (5, 40):
        with django_assert_max_num_queries(10):
            assert len(ids(client.get(URL, {"page_size": size}))) == min(size, 16)
        with django_assert_max_num_queries(10):
            response = client.get(f"/api/v1/music/{items[0].pk}/related", {"page_size": size})
            assert len(ids(response)) == min(size, 17)


def test_a_listeners_list_is_reused_until_their_plays_or_follows_change(
    clusters, django_assert_num_queries
):
    hymns, _ = clusters
    listener = UserFactory()
    play(listener, hymns[0])
    recommendations_update()
    client = client_for(listener)
    first = ids(client.get(URL))
    assert ref(hymns[1]) in first
    # Paging through it: the user, and the page's content is cached too.
    with django_assert_num_queries(1):
        assert ids(client.get(URL)) == first
    play(listener, hymns[1])  # finished now: gone from the next list
    after_play = ids(client.get(URL))
    assert ref(hymns[1]) not in after_play and ref(hymns[2]) in after_play
    followed = MusicTrackFactory()
    ArtistFollower.objects.create(user=listener, artist=followed.artist)
    assert ids(client.get(URL), "followed_artist") == [ref(followed)]
    artist_unfollow(artist=followed.artist, user=listener)
    assert ids(client.get(URL), "followed_artist") == []


def test_item_summaries_are_cached_until_the_item_changes(clusters, django_assert_num_queries):
    hymns, _ = clusters
    recommendations_update()
    url = f"/api/v1/music/{hymns[0].pk}/related"
    first = APIClient().get(url)
    assert set(ids(first, "similar")) == {ref(t) for t in hymns[1:]}
    # The item and its candidates; the page's items come from the cache.
    with django_assert_num_queries(2):
        again = APIClient().get(url)
    assert again.json() == first.json()
    hymns[1].title = "Abide With Me"
    hymns[1].save()
    titles = {
        row["item"]["id"]: row["item"]["title"] for row in APIClient().get(url).json()["results"]
    }
    assert titles[hymns[1].pk] == "Abide With Me"
    assert titles[hymns[2].pk] == hymns[2].title


def test_update_command_and_rebuild(clusters):
    from io import StringIO

    from django.core.management import call_command

    hymns, _ = clusters
    out = StringIO()
    call_command("recommendations_update", stdout=out)
    assert "32 plays" in out.getvalue()
    listeners = sorted(CoOccurrence.objects.values_list("item_id", "other_id", "listeners"))
    call_command("recommendations_update", "--rebuild", stdout=out)
    assert "32 plays" in out.getvalue().splitlines()[-1]
    # Started over from every event: the same counts, not twice them.
    assert sorted(CoOccurrence.objects.values_list("item_id", "other_id", "listeners")) == listeners
    assert len(listeners) == 2 * 12 and Watermark.objects.get().batch == 1


def test_recommendations_and_related_respect_the_language_asked_for():
    english = MusicTrackFactory.create_batch(3, language="en")
    french = MusicTrackFactory.create_batch(3, language="fr")
    listeners_of([english[0], *english[1:], *french])
    newcomer = UserFactory()
    play(newcomer, english[0])
    recommendations_update()

    client = client_for(newcomer)
    every = ids(client.get(URL))
    assert {ref(t) for t in french} & set(every)  # co-listened French tracks come up
    only_french = ids(client.get(URL, {"language": "fr"}))
    assert only_french and set(only_french) <= {ref(t) for t in french}
    related = ids(APIClient().get(f"/api/v1/music/{english[0].pk}/related", {"language": "en"}))
    assert related and set(related) <= {ref(t) for t in english[1:]}

    bad = client.get(URL, {"language": "French"})
    assert bad.status_code == 400 and "language" in bad.json()["errors"]
