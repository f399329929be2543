"""bible/stories and bible/passages: moderation visibility, owned media, scripture search."""

import pytest

from bible import services
from bible.models import BibleStory, ScriptureLink
from catalog.models import Artist
from cnt.models import ModerationStatus
from media.models import AssetStatus
from tests.bible.factories import (
    ArtistFactory,
    AssetFactory,
    AudioAssetFactory,
    ImageAssetFactory,
    PodcastFactory,
    StoryFactory,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bible/stories"
PASSAGES_URL = "/api/v1/bible/passages"


def tag(story_or_podcast, reference: str, content_type: str = "bible_story") -> None:
    label = services.scripture_links_set(
        content_type=content_type, object_id=story_or_podcast.pk, reference=reference
    )
    if content_type == "bible_story":
        BibleStory.objects.filter(pk=story_or_podcast.pk).update(scripture_reference=label)


# --- create --------------------------------------------------------------------------------


def test_a_user_publishes_a_story_from_their_video_with_a_normalised_reference():
    user = UserFactory()
    video = AssetFactory(owner=user, duration_seconds=61.4)
    thumbnail = ImageAssetFactory(owner=user)
    response = client_for(user).post(
        URL,
        {
            "title": "Nicodemus",
            "summary": "Born again",
            "scripture_reference": "Jn 3:1-21",
            "video": str(video.pk),
            "thumbnail": str(thumbnail.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    story = BibleStory.objects.get()
    assert body["id"] == story.pk
    assert body["scripture_reference"] == "John 3:1-21"
    assert body["passages"] == [
        {"label": "John 3:1-21", "start_verse_id": 43003001, "end_verse_id": 43003021}
    ]
    assert body["summary"] == "Born again"
    assert body["status"] == "pending"
    assert body["stream_type"] == "video"
    assert body["video"] == str(video.pk)
    assert body["duration"] == 61.4
    assert body["thumbnail_url"].startswith("http://testserver/media/")
    assert story.duration_seconds == 61
    assert story.description == "Born again"
    assert Artist.objects.filter(user=user).exists()  # created on first publish


def test_a_trusted_artist_is_approved_at_once():
    artist = ArtistFactory(is_trusted=True)
    audio = AudioAssetFactory(owner=artist.user)
    response = client_for(artist.user).post(
        URL, {"title": "Jonah", "audio": str(audio.pk)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert response.json()["stream_type"] == "audio"


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda user: {"video": str(AssetFactory().pk)}, "video"),  # someone else's
        (lambda user: {"video": str(AudioAssetFactory(owner=user).pk)}, "video"),  # wrong kind
        (
            lambda user: {"video": str(AssetFactory(owner=user, status=AssetStatus.FAILED).pk)},
            "video",
        ),
        (lambda user: {}, "video"),  # no media at all
        (
            lambda user: {
                "video": str(AssetFactory(owner=user).pk),
                "thumbnail": str(AssetFactory(owner=user).pk),
            },
            "thumbnail",
        ),
        (
            lambda user: {
                "video": str(AssetFactory(owner=user).pk),
                "scripture_reference": "not a verse",
            },
            "scripture_reference",
        ),
        (
            lambda user: {"video": str(AssetFactory(owner=user).pk), "scripture_reference": "x"},
            "scripture_reference",
        ),
    ],
)
def test_bad_media_or_references_are_400_and_create_nothing(make, field):
    user = UserFactory()
    response = client_for(user).post(URL, {"title": "T", **make(user)}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert BibleStory.objects.count() == 0
    assert ScriptureLink.objects.count() == 0


def test_anonymous_callers_cannot_publish(api_client):
    response = api_client.post(URL, {"title": "T"}, format="json")
    assert response.status_code == 401
    assert BibleStory.objects.count() == 0


# --- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", [ModerationStatus.PENDING, ModerationStatus.REJECTED])
@pytest.mark.parametrize(
    ("caller", "expected"),
    [("anonymous", 404), ("other", 404), ("owner", 200), ("moderator", 200)],
)
def test_hidden_stories_are_seen_by_their_owner_and_moderators_only(
    api_client, state, caller, expected
):
    story = StoryFactory(status=state, rejection_reason="Off topic")
    clients = {
        "anonymous": api_client,
        "other": client_for(UserFactory()),
        "owner": client_for(story.owner),
        "moderator": client_for(UserFactory(is_staff=True)),
    }
    response = clients[caller].get(f"{URL}/{story.pk}")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["status"] == state
        assert response.json()["rejection_reason"] == "Off topic"


def test_the_public_list_has_approved_stories_only(api_client, django_assert_max_num_queries):
    approved = [StoryFactory() for _ in range(3)]
    for story in approved:
        tag(story, "Genesis 1")
    pending = StoryFactory(status=ModerationStatus.PENDING)
    StoryFactory(status=ModerationStatus.REJECTED)
    with django_assert_max_num_queries(6):
        response = api_client.get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {s.pk for s in approved}
    assert rows[0]["passages"][0]["label"] == "Genesis 1:1-31"
    assert rows[0]["rejection_reason"] is None
    mine = client_for(pending.owner).get(f"{URL}?mine=true").json()
    assert [row["id"] for row in mine["results"]] == [pending.pk]


def test_moderators_filter_any_status():
    StoryFactory()
    pending = StoryFactory(status=ModerationStatus.PENDING)
    response = client_for(UserFactory(is_staff=True)).get(f"{URL}?status=pending")
    assert [row["id"] for row in response.json()["results"]] == [pending.pk]
    # Others asking for pending stories only reach their own.
    assert client_for(UserFactory()).get(f"{URL}?status=pending").json()["count"] == 0


# --- update and delete ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"), [(ModerationStatus.APPROVED, 403), (ModerationStatus.PENDING, 404)]
)
def test_only_the_owner_changes_or_deletes_a_story(state, expected):
    story = StoryFactory(status=state, title="Original")
    other = client_for(UserFactory())
    assert other.patch(f"{URL}/{story.pk}", {"title": "Hacked"}, format="json").status_code == (
        expected
    )
    assert other.delete(f"{URL}/{story.pk}").status_code == expected
    story.refresh_from_db()
    assert story.title == "Original"


def test_new_media_on_an_approved_story_sends_it_back_to_review():
    story = StoryFactory()
    new_video = AssetFactory(owner=story.owner)
    client = client_for(story.owner)
    response = client.patch(f"{URL}/{story.pk}", {"title": "Renamed"}, format="json")
    assert response.json()["status"] == "approved"
    response = client.patch(f"{URL}/{story.pk}", {"video": str(new_video.pk)}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_updating_the_reference_replaces_the_passages():
    story = StoryFactory()
    tag(story, "John 3:16")
    response = client_for(story.owner).patch(
        f"{URL}/{story.pk}", {"scripture_reference": "Rom 8:28; Ps 23"}, format="json"
    )
    assert response.json()["scripture_reference"] == "Romans 8:28; Psalms 23:1-6"
    assert list(ScriptureLink.objects.values_list("label", flat=True).order_by("position")) == [
        "Romans 8:28",
        "Psalms 23:1-6",
    ]


def test_deleting_a_story_removes_its_passages():
    story = StoryFactory()
    tag(story, "John 3:16")
    assert client_for(story.owner).delete(f"{URL}/{story.pk}").status_code == 204
    assert BibleStory.objects.count() == 0
    assert ScriptureLink.objects.count() == 0


# --- reference search ----------------------------------------------------------------------


def test_stories_are_found_by_an_overlapping_reference():
    whole_chapter = StoryFactory(title="John 3")
    tag(whole_chapter, "John 3")
    nicodemus = StoryFactory(title="Nicodemus")
    tag(nicodemus, "John 3:1-21")
    bridge = StoryFactory(title="Bridge")
    tag(bridge, "John 2:23-3:2")
    samaritan = StoryFactory(title="Well")
    tag(samaritan, "John 4")
    StoryFactory(title="Untagged")
    hidden = StoryFactory(status=ModerationStatus.PENDING)
    tag(hidden, "John 3:16")
    response = client_for(UserFactory()).get(URL, {"reference": "Jn 3:16"})
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == {"John 3", "Nicodemus"}
    response = client_for(UserFactory()).get(URL, {"reference": "John 3:1"})
    assert {row["title"] for row in response.json()["results"]} == {
        "John 3",
        "Nicodemus",
        "Bridge",
    }


def test_an_unknown_reference_is_400(api_client):
    response = api_client.get(URL, {"reference": "Hezekiah 1:1"})
    assert response.status_code == 400
    assert "reference" in response.json()["errors"]


def test_passages_search_returns_stories_and_podcasts_in_bible_order(
    api_client, django_assert_max_num_queries
):
    story = StoryFactory(title="Creation")
    tag(story, "Genesis 1:1-2:3")
    podcast = PodcastFactory(title="In the beginning")
    services.scripture_links_set(
        content_type="podcast", object_id=podcast.pk, reference="Gen 1:1; Jn 1:1"
    )
    later = StoryFactory(title="Flood")
    tag(later, "Genesis 6-9")
    hidden_podcast = PodcastFactory(status=ModerationStatus.PENDING)
    services.scripture_links_set(
        content_type="podcast", object_id=hidden_podcast.pk, reference="Genesis 1"
    )
    with django_assert_max_num_queries(6):
        response = api_client.get(PASSAGES_URL, {"reference": "Genesis 1-7"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["type"], r["id"]) for r in results] == [
        ("bible_story", story.pk),
        ("podcast", podcast.pk),
        ("bible_story", later.pk),
    ]
    assert results[1] == {
        "type": "podcast",
        "id": podcast.pk,
        "title": "In the beginning",
        "summary": "",
        "scripture_reference": "Genesis 1:1; John 1:1",
        "passages": [
            {"label": "Genesis 1:1", "start_verse_id": 1001001, "end_verse_id": 1001001},
            {"label": "John 1:1", "start_verse_id": 43001001, "end_verse_id": 43001001},
        ],
        "matched": ["Genesis 1:1"],
        "thumbnail_url": None,
    }


def test_passages_search_needs_a_valid_reference(api_client):
    assert api_client.get(PASSAGES_URL).status_code == 400
    assert api_client.get(PASSAGES_URL, {"reference": "nope"}).status_code == 400


def test_scripture_links_set_replaces_and_clears():
    podcast = PodcastFactory()
    services.scripture_links_set(content_type="podcast", object_id=podcast.pk, reference="Jn 1")
    assert (
        services.scripture_links_set(
            content_type="podcast", object_id=podcast.pk, reference="Mark 1:1-8"
        )
        == "Mark 1:1-8"
    )
    assert list(ScriptureLink.objects.values_list("label", flat=True)) == ["Mark 1:1-8"]
    assert services.scripture_links_set(content_type="podcast", object_id=podcast.pk,
                                         reference="") == ""  # fmt: skip
    assert ScriptureLink.objects.count() == 0
