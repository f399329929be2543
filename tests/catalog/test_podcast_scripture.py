"""Podcasts tagged with the passages they are about: written as free text, stored normalised
and as verse ranges, found by GET bible/passages, refused when they name no passage."""

import pytest

from bible.models import ScriptureLink
from catalog.models import Podcast
from cnt.models import ModerationStatus
from tests.catalog.factories import ArtistFactory, MediaAssetFactory
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def publish(owner, **fields):
    audio = MediaAssetFactory(owner=owner)
    return client_for(owner).post(
        "/api/v1/podcasts", {"title": "Born Again", "asset": str(audio.id), **fields}, format="json"
    )


def passages(client, reference: str) -> list[tuple[str, int]]:
    response = client.get("/api/v1/bible/passages", {"reference": reference})
    assert response.status_code == 200, response.content
    return [(row["type"], row["id"]) for row in response.json()["results"]]


def test_a_podcast_is_tagged_and_found_by_its_passages(api_client):
    owner = UserFactory()
    ArtistFactory(user=owner, is_trusted=True)  # approved at once, so the public finds it

    response = publish(owner, scripture_reference="jn 3:16-18; Rom 8:28")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scripture_reference"] == "John 3:16-18; Romans 8:28"
    podcast = Podcast.objects.get(pk=body["id"])
    assert podcast.status == ModerationStatus.APPROVED
    assert ScriptureLink.objects.filter(content_type="podcast", object_id=podcast.pk).count() == 2
    assert ("podcast", podcast.pk) in passages(api_client, "John 3:17")
    assert passages(api_client, "John 3:19") == []
    assert api_client.get(f"/api/v1/podcasts/{podcast.pk}").json()["scripture_reference"] == (
        "John 3:16-18; Romans 8:28"
    )


def test_a_reference_naming_no_passage_is_refused_and_nothing_is_published():
    owner = UserFactory()

    response = publish(owner, scripture_reference="Hezekiah 4:5")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["scripture_reference"]
    assert not Podcast.objects.exists() and not ScriptureLink.objects.exists()


def test_the_owner_changes_and_removes_the_passages(api_client):
    owner = UserFactory()
    ArtistFactory(user=owner, is_trusted=True)
    podcast_id = publish(owner, scripture_reference="Psalm 23").json()["id"]
    client = client_for(owner)

    response = client.patch(
        f"/api/v1/podcasts/{podcast_id}", {"scripture_reference": "Ps 91"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["scripture_reference"] == "Psalms 91:1-16"
    assert passages(api_client, "Psalm 23:1") == []
    assert passages(api_client, "Psalm 91:4") == [("podcast", podcast_id)]

    bad = client.patch(
        f"/api/v1/podcasts/{podcast_id}", {"scripture_reference": "not a verse"}, format="json"
    )
    assert bad.status_code == 400
    assert Podcast.objects.get(pk=podcast_id).scripture_reference == "Psalms 91:1-16"
    assert passages(api_client, "Psalm 91:4") == [("podcast", podcast_id)]

    cleared = client.patch(
        f"/api/v1/podcasts/{podcast_id}", {"scripture_reference": ""}, format="json"
    )
    assert cleared.status_code == 200 and cleared.json()["scripture_reference"] == ""
    assert not ScriptureLink.objects.exists()


def test_others_cannot_tag_someone_elses_podcast_and_deleting_drops_the_passages():
    owner = UserFactory()
    ArtistFactory(user=owner, is_trusted=True)
    podcast_id = publish(owner, scripture_reference="Genesis 1:1").json()["id"]

    response = client_for(UserFactory()).patch(
        f"/api/v1/podcasts/{podcast_id}", {"scripture_reference": "Exodus 3"}, format="json"
    )
    assert response.status_code == 403
    assert Podcast.objects.get(pk=podcast_id).scripture_reference == "Genesis 1:1"

    assert client_for(owner).delete(f"/api/v1/podcasts/{podcast_id}").status_code == 204
    assert not ScriptureLink.objects.exists()


def test_pending_podcasts_are_not_found_by_their_passages(api_client):
    owner = UserFactory()
    podcast_id = publish(owner, scripture_reference="Ruth 1:16").json()["id"]

    assert Podcast.objects.get(pk=podcast_id).status == ModerationStatus.PENDING
    assert passages(api_client, "Ruth 1:16") == []
