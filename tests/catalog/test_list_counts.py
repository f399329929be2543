"""List totals come from the cache until an item of that type changes, and are then exact
again for every kind of viewer and filter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from cnt.models import ModerationStatus
from tests.catalog.factories import CategoryFactory
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import make

pytestmark = pytest.mark.django_db
APPROVED, PENDING = ModerationStatus.APPROVED, ModerationStatus.PENDING


def count(client, path="/api/v1/music", **params) -> int:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def counted(captured) -> bool:
    return any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)


def test_a_repeated_listing_skips_the_count_query(api_client):
    for n in range(3):
        make("music", title=f"Song {n}", status=APPROVED)
    with CaptureQueriesContext(connection) as first_queries:
        first = api_client.get("/api/v1/music")
    with CaptureQueriesContext(connection) as second_queries:
        second = api_client.get("/api/v1/music", {"page_size": 2, "ordering": "title"})
    assert counted(first_queries) and not counted(second_queries)
    assert first.json()["count"] == second.json()["count"] == 3
    assert second.json()["next"] is not None


def test_approvals_and_deletions_show_in_the_next_count(api_client):
    track = make("music", title="Pending", status=PENDING)
    make("music", title="Public", status=APPROVED)
    assert count(api_client) == 1

    moderator = UserFactory()
    moderator.groups.add(moderators_group())
    assert client_for(moderator).post(f"/api/v1/admin/approve/music/{track.pk}").status_code == 200
    assert count(api_client) == 2

    assert client_for(track.owner).delete(f"/api/v1/music/{track.pk}").status_code == 204
    assert count(api_client) == 1


def test_each_viewer_and_filter_has_its_own_total(api_client):
    owner = UserFactory()
    make("music", title="Mine, pending", owner=owner, status=PENDING)
    make("music", title="Mine, public", owner=owner, status=APPROVED)
    make("music", title="Theirs, pending", status=PENDING)
    moderator = UserFactory()
    moderator.groups.add(moderators_group())

    assert count(api_client) == 1
    assert count(client_for(owner), mine="true") == 2
    assert count(client_for(UserFactory()), mine="true") == 0
    assert count(client_for(moderator), status="pending") == 2
    assert count(client_for(owner), status="pending") == 1
    assert count(api_client) == 1


def test_a_deleted_category_empties_its_filtered_total(api_client):
    category = CategoryFactory()
    make("music", title="Filed", status=APPROVED, category=category)
    assert count(api_client, category=category.pk) == 1

    category_id = category.pk
    Category.objects.filter(pk=category_id).delete()

    # The filter now names no category: a 400, or an empty listing, never the old total.
    response = api_client.get("/api/v1/music", {"category": category_id})
    assert response.status_code == 400 or response.json()["count"] == 0


def test_other_types_keep_their_cached_totals(api_client):
    make("podcast", title="Talk", status=APPROVED)
    assert count(api_client, "/api/v1/podcasts") == 1
    make("music", title="Song", status=APPROVED)
    with CaptureQueriesContext(connection) as captured:
        assert count(api_client, "/api/v1/podcasts") == 1
    assert not counted(captured)
