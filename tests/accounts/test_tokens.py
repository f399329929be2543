import base64
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.services import tokens as token_services
from tests.accounts.conftest import bearer
from tests.factories import UserFactory

REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"
TOKEN_NOT_VALID = {
    "detail": "The refresh token is invalid, expired or revoked.",
    "code": "token_not_valid",
}
USER_INACTIVE = {"detail": "This account is not active.", "code": "user_inactive"}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _alg_none(token: str) -> str:
    payload = token.split(".")[1]
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."


def _tampered(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_b64(claims)}.{signature}"


def _expired(token_class, user) -> str:
    token = token_class.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=5))
    return str(token)


def _counts() -> tuple[int, int]:
    return OutstandingToken.objects.count(), BlacklistedToken.objects.count()


# --- refresh ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REFRESH, REFRESH + "/"])
def test_refresh_rotates_and_refuses_the_old_token(api_client, user, url):
    old = str(RefreshToken.for_user(user))

    response = api_client.post(url, {"refresh": old}, format="json")

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert pair["refresh"] != old
    assert bearer(pair["access"]).get(ME).status_code == 200
    assert BlacklistedToken.objects.filter(token__token=old).count() == 1

    before = _counts()
    reused = api_client.post(url, {"refresh": old}, format="json")
    assert reused.status_code == 401
    assert reused.json() == TOKEN_NOT_VALID
    assert _counts() == before

    assert api_client.post(url, {"refresh": pair["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
def test_logout_revokes_the_refresh_token(api_client, user):
    refresh = str(RefreshToken.for_user(user))

    response = api_client.post(LOGOUT, {"refresh": refresh}, format="json")

    assert response.status_code == 204
    refused = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert refused.status_code == 401
    assert refused.json() == TOKEN_NOT_VALID
    again = api_client.post(LOGOUT + "/", {"refresh": refresh}, format="json")
    assert again.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REFRESH, LOGOUT])
def test_refresh_and_logout_refuse_bad_tokens(api_client, user, url):
    good = str(RefreshToken.for_user(user))
    bad_tokens = [
        "not-a-jwt",
        str(AccessToken.for_user(user)),  # an access token is not a refresh token
        _alg_none(good),
        _tampered(good, user_id=str(user.pk + 1)),
        _expired(RefreshToken, user),
    ]
    before = _counts()

    for token in bad_tokens:
        response = api_client.post(url, {"refresh": token}, format="json")
        assert response.status_code == 401, token
        assert response.json() == TOKEN_NOT_VALID

    assert _counts() == before


@pytest.mark.django_db
def test_refresh_refuses_a_token_that_was_never_issued_here(api_client, user):
    token = RefreshToken.for_user(user)
    OutstandingToken.objects.filter(jti=token["jti"]).delete()

    response = api_client.post(REFRESH, {"refresh": str(token)}, format="json")

    assert response.status_code == 401
    assert response.json() == TOKEN_NOT_VALID
    assert _counts() == (0, 0)


@pytest.mark.django_db
def test_refresh_bad_input_is_400(api_client):
    response = api_client.post(REFRESH, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["refresh"]


@pytest.mark.django_db
def test_refresh_of_a_deactivated_user_is_401_and_changes_nothing(api_client):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()
    before = _counts()

    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert response.json() == USER_INACTIVE
    assert _counts() == before


@pytest.mark.django_db
def test_refresh_of_a_user_whose_row_is_gone_is_401_not_500(api_client):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    user.delete()

    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert response.json() == USER_INACTIVE
    assert BlacklistedToken.objects.count() == 0


# --- access tokens ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_token_checks(user):
    access = str(AccessToken.for_user(user))
    assert bearer(access).get(ME).status_code == 200

    for token in [
        str(RefreshToken.for_user(user)),  # a refresh token is not an access token
        _alg_none(access),
        _tampered(access, user_id=str(user.pk + 1)),
        _expired(AccessToken, user),
        "garbage",
    ]:
        response = bearer(token).get(ME)
        assert response.status_code == 401, token
        assert response.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_access_token_of_deactivated_or_removed_user_is_401():
    inactive = UserFactory(is_active=False)
    response = bearer(AccessToken.for_user(inactive)).get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "User is inactive"

    gone = UserFactory()
    token = AccessToken.for_user(gone)
    gone.delete()
    response = bearer(token).get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "User not found"


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_of_one_token_exactly_one_wins(monkeypatch):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    both_decoded = threading.Barrier(2, timeout=10)
    original = token_services._refresh_token_decode

    def decode_then_wait(raw):
        token = original(raw)  # both requests pass the unlocked blacklist check first
        both_decoded.wait()
        return token

    monkeypatch.setattr(token_services, "_refresh_token_decode", decode_then_wait)
    results = []

    def refresh_once():
        try:
            response = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _ in results) == [200, 401]
    assert [body for status, body in results if status == 401] == [TOKEN_NOT_VALID]
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    assert OutstandingToken.objects.filter(user=user).count() == 2
