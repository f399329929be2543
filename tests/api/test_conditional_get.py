"""Reads carry an ETag; a client that sends it back in If-None-Match gets a bodiless 304
while nothing changed, and the new representation once something did."""

import pytest

from tests.catalog.factories import MusicTrackFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/music", "/api/v1/music/{id}"])
def test_etag_and_304_until_the_item_changes(api_client, path):
    track = MusicTrackFactory(title="Amazing Grace")
    url = path.format(id=track.pk)
    first = api_client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith(('"', 'W/"'))

    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    track.title = "Amazing Grace (live)"
    track.save()
    changed = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Amazing Grace (live)" in changed.content.decode()


def test_a_write_is_never_answered_304(user_client):
    first = user_client.get("/api/v1/auth/me")
    response = user_client.patch(
        "/api/v1/auth/me", {"bio": "Hello"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert response.status_code == 200
    assert response.json()["bio"] == "Hello"


def test_the_etag_header_is_readable_by_web_clients(settings):
    assert "ETag" in settings.CORS_EXPOSE_HEADERS
