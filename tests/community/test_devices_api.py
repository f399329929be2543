"""Push tokens: POST /api/v1/devices registers (or refreshes) an app install's FCM token,
DELETE /api/v1/devices/{token} removes one of the caller's."""

import pytest
from rest_framework.test import APIClient

from cnt.notifications.models import Device
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "dGhpcyBpcyBhIHRva2Vu:APA91bH-x_y.z0123456789"


def register(user, **body):
    payload = {"token": TOKEN, "platform": "android", "app_version": "2.4.1", "locale": "fr-CA"}
    payload.update(body)
    return client_for(user).post("/api/v1/devices", payload, format="json")


def test_registering_a_token_stores_the_device():
    user = UserFactory()
    response = register(user)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("token", "platform", "app_version", "locale")} == {
        "token": TOKEN,
        "platform": "android",
        "app_version": "2.4.1",
        "locale": "fr-CA",
    }
    device = Device.objects.get()
    assert (device.user, device.token, device.platform) == (user, TOKEN, "android")


def test_registering_again_refreshes_the_same_row():
    user = UserFactory()
    register(user)
    first_seen = Device.objects.get().last_seen_at
    again = register(user, app_version="2.5.0", locale="en")
    assert again.status_code == 200
    device = Device.objects.get()
    assert (device.app_version, device.locale) == ("2.5.0", "en")
    assert device.last_seen_at >= first_seen


def test_a_token_moves_to_whoever_signs_in_on_the_install():
    before, after = UserFactory(), UserFactory()
    register(before)
    assert register(after, platform="ios").status_code == 200
    device = Device.objects.get()
    assert (device.user, device.platform) == (after, "ios")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "windows"}, "platform"),
        ({"token": ""}, "token"),
        ({"token": "x" * 513}, "token"),
        ({"token": "has space"}, "token"),
        ({"token": "a/b"}, "token"),
        ({"locale": "not a locale!"}, "locale"),
        ({"app_version": "v" * 33}, "app_version"),
    ],
)
def test_bad_registrations_are_refused_and_store_nothing(body, field):
    response = register(UserFactory(), **body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Device.objects.exists()


def test_anonymous_callers_cannot_register_or_remove():
    client = APIClient()
    assert client.post("/api/v1/devices", {"token": TOKEN, "platform": "web"}).status_code == 401
    owner = UserFactory()
    register(owner)
    assert client.delete(f"/api/v1/devices/{TOKEN}").status_code == 401
    assert Device.objects.filter(user=owner).count() == 1


def test_removing_a_token_forgets_it():
    user = UserFactory()
    register(user)
    register(user, token="other-token")
    response = client_for(user).delete(f"/api/v1/devices/{TOKEN}")
    assert response.status_code == 204
    assert list(Device.objects.values_list("token", flat=True)) == ["other-token"]
    assert client_for(user).delete(f"/api/v1/devices/{TOKEN}").status_code == 404


def test_nobody_removes_someone_elses_token():
    owner, other = UserFactory(), UserFactory()
    register(owner)
    response = client_for(other).delete(f"/api/v1/devices/{TOKEN}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Device.objects.get().user == owner
