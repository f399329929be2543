import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from tests.accounts.conftest import bearer
from tests.factories import DEFAULT_PASSWORD

URL = "/api/v1/auth/me/change-password"
NEW_PASSWORD = "Brand-New-Lantern-77"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_change_password_ends_other_sessions_and_returns_a_fresh_pair(
    api_client, user_client, user, url
):
    other_devices = [str(RefreshToken.for_user(user)) for _ in range(2)]

    response = user_client.post(
        url, {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == user.pk
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for refresh in other_devices:
        refused = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
        assert refused.status_code == 401
    assert bearer(body["access"]).get("/api/v1/auth/me").status_code == 200
    renewed = api_client.post("/api/v1/auth/refresh", {"refresh": body["refresh"]}, format="json")
    assert renewed.status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"current_password": "Wrong-Password-1", "new_password": NEW_PASSWORD},
            "current_password",
        ),
        ({"current_password": DEFAULT_PASSWORD, "new_password": "1234567890"}, "new_password"),
        ({"current_password": DEFAULT_PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": DEFAULT_PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
    ],
)
def test_change_password_refusals_change_nothing(user_client, user, data, field):
    session = RefreshToken.for_user(user)

    response = user_client.post(URL, data, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not BlacklistedToken.objects.filter(token__jti=session["jti"]).exists()


def test_change_password_requires_authentication(api_client):
    response = api_client.post(
        URL, {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 401
