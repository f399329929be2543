import pytest

from cnt.notifications.models import Notification, NotificationPreference
from cnt.notifications.services import notification_create
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_list_unread_count_read_and_read_all(user):
    for index in range(3):
        notification_create(recipient=user, type="system", title=f"n{index}")
    notification_create(recipient=UserFactory(), type="system", title="someone else's")
    client = client_for(user)
    listing = client.get("/api/v1/notifications").json()
    assert [n["title"] for n in listing["results"]] == ["n2", "n1", "n0"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"count": 3}
    first = listing["results"][0]["id"]
    response = client.post(f"/api/v1/notifications/{first}/read")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert client.get("/api/v1/notifications/unread-count/").json() == {"count": 2}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count").json() == {"count": 0}


def test_other_users_notifications_are_not_reachable(user):
    theirs = notification_create(recipient=UserFactory(), type="system", title="private")
    client = client_for(user)
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(user).get("/api/v1/notifications").json()["count"] == 0


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/notifications").status_code == 401
    assert api_client.get("/api/v1/notifications/unread-count").status_code == 401


def test_preferences_round_trip(user):
    client = client_for(user)
    defaults = client.get("/api/v1/notifications/preferences").json()
    assert {"type": "like", "in_app": True, "email": False, "push": True} in defaults
    response = client.put(
        "/api/v1/notifications/preferences",
        [
            {"type": "like", "in_app": False, "email": True},
            {"type": "follow", "in_app": True, "email": False, "push": False},
        ],
        format="json",
    )
    assert response.status_code == 200
    assert {"type": "like", "in_app": False, "email": True, "push": True} in response.json()
    assert {"type": "follow", "in_app": True, "email": False, "push": False} in response.json()
    assert NotificationPreference.objects.get(user=user, type="like").email is True
    assert NotificationPreference.objects.get(user=user, type="follow").push is False
    bad = client.put("/api/v1/notifications/preferences", [{"type": "nonsense"}], format="json")
    assert bad.status_code == 400
    assert Notification.objects.count() == 0


def test_preferences_decide_in_app_and_email(user, mailoutbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=user, type="like", in_app=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        created = notification_create(recipient=user, type="like", title="Ruth liked your post")
        kept = notification_create(recipient=user, type="comment", title="A comment")
    assert created is None and kept is not None
    assert list(Notification.objects.values_list("type", flat=True)) == ["comment"]
    assert [m.subject for m in mailoutbox] == ["Ruth liked your post"]
    assert mailoutbox[0].to == [user.email]
