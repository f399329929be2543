"""REST admin endpoints: permission matrix (forbidden requests change nothing), shapes, 404s."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import ModerationDecision, PlayEvent
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import CONTENT_TYPES, AssetFactory, make

pytestmark = [pytest.mark.django_db]

FORBIDDEN = {"anonymous": 401, "user": 403, "owner": 403}


@pytest.fixture
def clients(owner, other, api_moderator, superuser):
    return {
        "anonymous": APIClient(),
        "user": client_for(other),
        "owner": client_for(owner),
        "moderator": client_for(api_moderator),
        "admin": client_for(superuser),
    }


def assert_unchanged(obj, status=ModerationStatus.PENDING):
    obj.refresh_from_db()
    assert obj.status == status
    assert obj.moderated_by_id is None
    assert not ModerationDecision.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", list(FORBIDDEN))
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_approve_is_refused_to_non_moderators(clients, owner, role, content_type):
    obj = make(content_type, owner=owner)

    response = clients[role].post(f"/api/v1/admin/approve/{content_type}/{obj.pk}")

    assert response.status_code == FORBIDDEN[role]
    assert set(response.json()) >= {"detail", "code"}
    assert_unchanged(obj)


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_reject_is_refused_to_non_moderators(clients, owner, role):
    obj = make("community_post", owner=owner, status=ModerationStatus.APPROVED)

    response = clients[role].post(
        f"/api/v1/admin/reject/community_post/{obj.pk}", {"reason": "spam"}, format="json"
    )

    assert response.status_code == FORBIDDEN[role]
    assert_unchanged(obj, ModerationStatus.APPROVED)


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_moderators_approve(clients, owner, role, content_type):
    obj = make(content_type, owner=owner)

    response = clients[role].post(f"/api/v1/admin/approve/{content_type}/{obj.pk}/")

    assert response.status_code == 200
    body = response.json()
    obj.refresh_from_db()
    assert body == {
        "content_type": content_type,
        "id": obj.pk,
        "status": "approved",
        "rejection_reason": "",
        "moderated_at": body["moderated_at"],
        "moderated_by": obj.moderated_by_id,
        "changed": True,
    }
    assert obj.status == ModerationStatus.APPROVED
    assert ModerationDecision.objects.filter(content_type=content_type, object_id=obj.pk).count()
    assert Notification.objects.get().recipient == owner


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_moderators_reject_with_a_reason(clients, owner, role, content_type):
    obj = make(content_type, owner=owner)

    response = clients[role].post(
        f"/api/v1/admin/reject/{content_type}/{obj.pk}", {"reason": "Low audio quality."}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "Low audio quality."
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.REJECTED
    assert obj.rejection_reason == "Low audio quality."
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.reason) == ("reject", "Low audio quality.")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}])
def test_reject_without_a_usable_reason_is_a_400_and_changes_nothing(clients, body):
    obj = make("podcast")

    response = clients["moderator"].post(f"/api/v1/admin/reject/podcast/{obj.pk}", body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["errors"]
    assert_unchanged(obj)


def test_repeating_a_decision_answers_unchanged(clients):
    obj = make("movie", status=ModerationStatus.APPROVED)

    response = clients["moderator"].post(f"/api/v1/admin/approve/movie/{obj.pk}")

    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert response.json()["status"] == "approved"
    assert not ModerationDecision.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("content_type", ["sermon", "artist", "playlist", "PODCAST"])
def test_unknown_types_are_404(clients, action, content_type):
    obj = make("podcast")

    response = clients["moderator"].post(
        f"/api/v1/admin/{action}/{content_type}/{obj.pk}", {"reason": "x"}
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert_unchanged(obj)


def test_missing_items_are_404(clients):
    response = clients["moderator"].post("/api/v1/admin/approve/music/999999")
    assert response.status_code == 404


def test_unknown_type_for_a_non_moderator_is_still_403(clients):
    response = clients["user"].post("/api/v1/admin/approve/sermon/1")
    assert response.status_code == 403


def test_get_is_not_allowed_on_actions(clients):
    obj = make("podcast")
    response = clients["moderator"].get(f"/api/v1/admin/approve/podcast/{obj.pk}")
    assert response.status_code == 405
    assert_unchanged(obj)


# --- dashboard -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_dashboard_is_for_moderators_only(clients, role):
    response = clients[role].get("/api/v1/admin/dashboard")
    assert response.status_code == FORBIDDEN[role]


def test_dashboard_counts(clients, django_assert_max_num_queries):
    now = timezone.now()
    old = make("podcast")
    type(old).objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=5))
    make("podcast")
    make("podcast", status=ModerationStatus.APPROVED)
    make("music", status=ModerationStatus.REJECTED)
    make("community_post")
    AssetFactory(size_bytes=1500)
    AssetFactory(size_bytes=500)
    stale = AssetFactory(size_bytes=1000)
    type(stale).objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=8))
    PlayEvent.objects.create(content_type="podcast", object_id=old.pk)
    old_play = PlayEvent.objects.create(content_type="podcast", object_id=old.pk)
    PlayEvent.objects.filter(pk=old_play.pk).update(played_at=now - timedelta(days=9))
    UserFactory._meta.model.objects.filter(pk=UserFactory().pk).update(
        date_joined=now - timedelta(days=30)
    )
    recent_users = UserFactory._meta.model.objects.filter(
        date_joined__gte=now - timedelta(days=7)
    ).count()

    with django_assert_max_num_queries(12):
        response = clients["moderator"].get("/api/v1/admin/dashboard/")

    assert response.status_code == 200
    body = response.json()
    podcast = body["content"]["podcast"]
    assert {k: podcast[k] for k in ("pending", "approved", "rejected", "total")} == {
        "pending": 2,
        "approved": 1,
        "rejected": 0,
        "total": 3,
    }
    assert 5 * 3600 - 5 <= podcast["oldest_pending_age_seconds"] <= 5 * 3600 + 60
    assert body["content"]["music"]["rejected"] == 1
    assert body["content"]["movie"] == {
        "pending": 0,
        "approved": 0,
        "rejected": 0,
        "total": 0,
        "oldest_pending_age_seconds": None,
    }
    assert body["pending_total"] == 3
    assert body["last_7_days"]["uploads"] == 2
    assert body["last_7_days"]["plays"] == 1
    assert body["last_7_days"]["new_users"] == recent_users
    assert body["storage"]["used_bytes"] == 3000
    assert body["storage"]["files"] == 3
