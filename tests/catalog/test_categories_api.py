"""Categories: readable by everyone (active ones), written by moderators only."""

import pytest

from catalog.models import Category
from tests.catalog.conftest import ROLES
from tests.catalog.factories import CategoryFactory, PodcastFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WRITERS = {"moderator", "admin"}
DENIED = {"anonymous": 401, "user": 403, "owner": 403}


def test_list_shows_active_categories_in_order(api_client):
    second = CategoryFactory(name="Worship", position=2)
    first = CategoryFactory(name="Sermons", position=1, kind="podcast")
    CategoryFactory(name="Hidden", is_active=False)
    response = api_client.get("/api/v1/categories")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [first.id, second.id]
    assert body["results"][0] == {
        "id": first.id,
        "name": "Sermons",
        "slug": "sermons",
        "kind": "podcast",
        "description": "",
        "position": 1,
        "is_active": True,
    }
    kinds = api_client.get("/api/v1/categories?kind=podcast").json()["results"]
    assert [row["id"] for row in kinds] == [first.id]


def test_inactive_categories_are_for_moderators_only(api_client, moderator):
    hidden = CategoryFactory(is_active=False)
    assert api_client.get(f"/api/v1/categories/{hidden.id}").status_code == 404
    assert client_for(moderator).get(f"/api/v1/categories/{hidden.id}").status_code == 200
    listed = client_for(moderator).get("/api/v1/categories").json()["results"]
    assert [row["id"] for row in listed] == [hidden.id]


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_create_matrix(actor):
    role, _, client = actor
    response = client.post(
        "/api/v1/categories", {"name": "Bible Study", "kind": "podcast"}, format="json"
    )
    if role in WRITERS:
        assert response.status_code == 201
        assert response.json()["slug"] == "bible-study"
        assert Category.objects.get().name == "Bible Study"
    else:
        assert response.status_code == DENIED[role]
        assert not Category.objects.exists()


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_update_and_delete_matrix(actor):
    role, _, client = actor
    category = CategoryFactory(name="Old")
    response = client.patch(f"/api/v1/categories/{category.id}", {"name": "New"}, format="json")
    category.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 200 and category.name == "New"
    else:
        assert response.status_code == DENIED[role] and category.name == "Old"
    response = client.delete(f"/api/v1/categories/{category.id}")
    if role in WRITERS:
        assert response.status_code == 204
    else:
        assert response.status_code == DENIED[role]
    assert Category.objects.filter(pk=category.pk).exists() == (role not in WRITERS)


def test_slugs_are_unique(moderator):
    client = client_for(moderator)
    CategoryFactory(name="Worship", slug="worship")
    derived = client.post("/api/v1/categories", {"name": "Worship"}, format="json")
    assert derived.status_code == 201 and derived.json()["slug"] == "worship-2"
    taken = client.post("/api/v1/categories", {"name": "W", "slug": "worship"}, format="json")
    assert taken.status_code == 400 and list(taken.json()["errors"]) == ["slug"]
    unsluggable = client.post("/api/v1/categories", {"name": "!!!"}, format="json")
    assert unsluggable.status_code == 400 and list(unsluggable.json()["errors"]) == ["slug"]
    assert Category.objects.count() == 2


def test_deleting_a_category_keeps_its_content(moderator):
    category = CategoryFactory()
    podcast = PodcastFactory(category=category)
    assert client_for(moderator).delete(f"/api/v1/categories/{category.id}").status_code == 204
    podcast.refresh_from_db()
    assert podcast.category is None


def test_category_list_queries_are_bounded(api_client, django_assert_max_num_queries):
    CategoryFactory.create_batch(30)
    with django_assert_max_num_queries(2):
        response = api_client.get("/api/v1/categories?page_size=100")
    assert response.json()["count"] == 30
