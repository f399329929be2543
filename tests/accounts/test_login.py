import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from tests.accounts.conftest import bearer
from tests.factories import DEFAULT_PASSWORD, UserFactory

URL = "/api/v1/auth/login"
BAD_CREDENTIALS = {"detail": "Invalid credentials.", "code": "invalid_credentials"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(username="Ada", email="ada@example.com")


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ada@example.com"},
        {"email": "ADA@Example.COM"},
        {"email": "ada"},  # not email-shaped: tried as a username
        {"email": "aDA"},
        {"username": "ada"},
    ],
)
@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_login_with_email_or_username(api_client, ada, credentials, url):
    response = api_client.post(url, {**credentials, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == ada.pk
    assert body["user"]["username"] == "Ada"
    assert bearer(body["access"]).get("/api/v1/auth/me").status_code == 200
    ada.refresh_from_db()
    assert ada.last_login is not None


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ada@example.com", "password": "Wrong-Password-1"},
        {"email": "nobody@example.com", "password": DEFAULT_PASSWORD},
        {"email": "nobody", "password": DEFAULT_PASSWORD},
        {"username": "nobody", "password": DEFAULT_PASSWORD},
        {"username": "ada", "password": " "},
    ],
)
def test_login_failures_look_alike_and_issue_nothing(api_client, ada, credentials):
    response = api_client.post(URL, credentials, format="json")

    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert OutstandingToken.objects.count() == 0
    ada.refresh_from_db()
    assert ada.last_login is None


def test_login_runs_the_hasher_once_whether_or_not_the_account_exists(api_client, ada, monkeypatch):
    calls = []
    original = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)

    api_client.post(URL, {"email": "ada@example.com", "password": "Wrong-1"}, format="json")
    existing = len(calls)
    api_client.post(URL, {"email": "ghost@example.com", "password": "Wrong-1"}, format="json")
    missing = len(calls) - existing

    assert existing == missing == 1


def test_login_refuses_inactive_and_deleted_accounts(api_client, ada):
    inactive = UserFactory(is_active=False)
    response = api_client.post(
        URL, {"email": inactive.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS

    client = APIClient()
    client.force_authenticate(ada)
    assert client.delete("/api/v1/auth/me").status_code == 204
    response = api_client.post(
        URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert OutstandingToken.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"password": DEFAULT_PASSWORD}, ["email"]),
        ({"email": "  ", "password": DEFAULT_PASSWORD}, ["email"]),
        ({"email": "ada@example.com"}, ["password"]),
        ({}, ["password"]),
    ],
)
def test_login_bad_input_is_400(api_client, ada, data, fields):
    response = api_client.post(URL, data, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == fields
    assert OutstandingToken.objects.count() == 0


def test_login_ignores_a_stale_authorization_header(ada):
    client = bearer("stale.token.value")
    response = client.post(URL, {"email": "ada", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


def test_login_is_throttled_per_ip(api_client, ada, throttle_rates):
    throttle_rates(login="2/min")
    for _ in range(2):
        api_client.post(URL, {"email": "ada", "password": "Wrong-1"}, format="json")

    response = api_client.post(URL, {"email": "ada", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "access" not in response.json()
    assert OutstandingToken.objects.count() == 0


def test_login_is_throttled_per_identifier_across_addresses(ada, throttle_rates):
    throttle_rates(login="2/min")
    for index in range(2):
        client = APIClient(REMOTE_ADDR=f"10.0.0.{index + 1}")
        client.post(URL, {"email": "ADA", "password": "Wrong-1"}, format="json")

    client = APIClient(REMOTE_ADDR="10.0.0.99")
    response = client.post(URL, {"username": "ada", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 429
    assert "Retry-After" in response
    assert OutstandingToken.objects.count() == 0

    other = APIClient(REMOTE_ADDR="10.0.0.99")
    other_user = UserFactory()
    response = other.post(
        URL, {"username": other_user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_forwarded_for_header_does_not_escape_the_ip_throttle(ada, throttle_rates):
    throttle_rates(login="2/min")
    for index in range(2):
        APIClient(HTTP_X_FORWARDED_FOR=f"192.0.2.{index}").post(
            URL, {"email": f"x{index}", "password": "Wrong-1"}, format="json"
        )

    response = APIClient(HTTP_X_FORWARDED_FOR="192.0.2.77").post(
        URL, {"email": "ada", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 429
