"""Page parameters are checked like any other input: a bad one is a 400 naming it, a page
past the last a 404, an oversized page_size is clamped."""

import pytest

from tests.catalog.factories import ArtistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def artists():
    return [ArtistFactory() for _ in range(3)]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": 0}, "page"),
        ({"page": -2}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "many"}, "page_size"),
    ],
)
def test_a_bad_page_parameter_is_a_400_naming_it(api_client, artists, params, field):
    response = api_client.get("/api/v1/artists/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {field: ["A whole number from 1 is required."]}


def test_a_page_past_the_last_is_a_404(api_client, artists):
    response = api_client.get("/api/v1/artists/", {"page": 2, "page_size": 3})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_pages_walk_and_page_size_is_clamped(api_client, artists):
    first = api_client.get("/api/v1/artists/", {"page_size": 2}).json()
    second = api_client.get("/api/v1/artists/", {"page_size": 2, "page": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert len(second["results"]) == 1 and second["next"] is None
    last = api_client.get("/api/v1/artists/", {"page_size": 2, "page": "last"}).json()
    assert last["results"] == second["results"]
    clamped = api_client.get("/api/v1/artists/", {"page_size": 100000})
    assert clamped.status_code == 200 and len(clamped.json()["results"]) == 3
