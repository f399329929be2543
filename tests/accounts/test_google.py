import time

import jwt
import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.validators import username_problem
from tests.accounts.conftest import ANDROID_CLIENT_ID, IOS_CLIENT_ID, WEB_CLIENT_ID, bearer
from tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
URL = "/api/v1/auth/google-login"
CLIENT_ID_URL = "/api/v1/auth/google-client-id"
INVALID = {"detail": "The Google token is invalid.", "code": "google_token_invalid"}

pytestmark = pytest.mark.django_db


def _post(client, token):
    return client.post(URL, {"id_token": token}, format="json")


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_google_login_creates_a_verified_account(api_client, google_tokens, url):
    response = api_client.post(url, {"id_token": google_tokens.token()}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user", "created"}
    assert body["created"] is True
    user = User.objects.get()
    assert body["user"]["id"] == user.pk
    assert (user.email, user.username, user.display_name) == (
        "ada.lovelace@example.com",
        "ada.lovelace",
        "Ada Lovelace",
    )
    assert user.is_email_verified is True
    assert user.has_usable_password() is False
    assert bearer(body["access"]).get("/api/v1/auth/me").status_code == 200
    assert google_tokens.server.hits == 1  # verified against the local certs server


@pytest.mark.parametrize("audience", [IOS_CLIENT_ID, ANDROID_CLIENT_ID])
def test_google_login_accepts_every_configured_client(api_client, google_tokens, audience):
    response = _post(api_client, google_tokens.token(aud=audience, azp=audience))
    assert response.status_code == 200


def test_google_login_accepts_the_short_issuer(api_client, google_tokens):
    response = _post(api_client, google_tokens.token(iss="accounts.google.com"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ada.lovelace@example.com", None),  # taken: gets a numeric suffix
        ("admin@example.com", None),  # reserved: gets a numeric suffix
        ("x+y@example.com", "xyuser"),
        ("deleted-9@example.com", "9user"),
    ],
)
def test_google_login_generates_a_valid_unique_username(api_client, google_tokens, email, expected):
    UserFactory(username="ada.lovelace", email="someone@example.com")

    response = _post(api_client, google_tokens.token(email=email))

    assert response.status_code == 200
    username = response.json()["user"]["username"]
    assert username_problem(username) is None
    if expected:
        assert username == expected
    else:
        assert username != email.split("@")[0]
        assert username.startswith(email.split("@")[0])
    assert User.objects.filter(username__iexact=username).count() == 1


def test_google_login_links_an_existing_verified_account(api_client, google_tokens):
    existing = UserFactory(email="Ada.Lovelace@Example.com", is_email_verified=True)
    kept = RefreshToken.for_user(existing)

    response = _post(api_client, google_tokens.token())

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["user"]["id"] == existing.pk
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.check_password(DEFAULT_PASSWORD)
    assert not BlacklistedToken.objects.filter(token__jti=kept["jti"]).exists()


def test_google_login_takes_over_an_unverified_account_from_a_squatter(api_client, google_tokens):
    squatter = UserFactory(email="ada.lovelace@example.com", is_email_verified=False)
    squatter_refresh = str(RefreshToken.for_user(squatter))

    response = _post(api_client, google_tokens.token())

    assert response.status_code == 200
    squatter.refresh_from_db()
    assert squatter.is_email_verified is True
    assert squatter.has_usable_password() is False
    refused = api_client.post("/api/v1/auth/refresh", {"refresh": squatter_refresh}, format="json")
    assert refused.status_code == 401


def _assert_nothing_changed(before_users):
    assert User.objects.count() == before_users
    assert OutstandingToken.objects.count() == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-elses-client.apps.googleusercontent.com"},
        {"iss": "https://evil.example.com"},
        {"iss": None},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200},
        {"email": None},
        {"sub": None},
    ],
)
def test_google_login_refuses_wrong_claims(api_client, google_tokens, overrides):
    UserFactory(email="ada.lovelace@example.com")

    response = _post(api_client, google_tokens.token(**overrides))

    assert response.status_code == 401
    assert response.json()["code"] == "google_token_invalid"
    _assert_nothing_changed(1)


def test_google_login_refuses_bad_signatures(api_client, google_tokens):
    claims = google_tokens.claims()
    tokens = [
        google_tokens.token(key="stranger"),  # signed by a key Google never published
        google_tokens.token(kid="unknown-kid"),
        jwt.encode(
            claims,
            "a-shared-secret-of-at-least-32-bytes!",
            algorithm="HS256",
            headers={"kid": "test-kid-1"},
        ),
        jwt.encode(claims, None, algorithm="none"),
        "not.a.jwt",
    ]
    for token in tokens:
        response = _post(api_client, token)
        assert response.status_code == 401, token
        assert response.json() == INVALID
    _assert_nothing_changed(0)


def test_tokens_that_are_not_rs256_jwts_are_refused_without_fetching_certs(
    api_client, google_tokens
):
    claims = google_tokens.claims()
    for token in [
        "not.a.jwt",
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode(claims, "k" * 32, algorithm="HS256", headers={"kid": "test-kid-1"}),
        jwt.encode(claims, google_tokens.keys["signing"], algorithm="RS256"),  # no kid
    ]:
        assert _post(api_client, token).json() == INVALID
    assert google_tokens.server.hits == 0


def test_google_login_refuses_unverified_google_emails(api_client, google_tokens):
    response = _post(api_client, google_tokens.token(email_verified=False))

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Google has not verified this email address.",
        "code": "google_email_unverified",
    }
    _assert_nothing_changed(0)


def test_google_login_refuses_a_deactivated_account(api_client, google_tokens):
    UserFactory(email="ada.lovelace@example.com", is_active=False)

    response = _post(api_client, google_tokens.token())

    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"
    _assert_nothing_changed(1)


def test_google_login_without_certs_is_503(api_client, google_tokens):
    google_tokens.server.status = 500

    response = _post(api_client, google_tokens.token())

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    _assert_nothing_changed(0)


def test_google_login_bad_input_is_400(api_client, google_tokens):
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["id_token"]


def test_google_not_configured_is_503(api_client, settings):
    settings.GOOGLE_CLIENT_IDS = {"web": "", "ios": "", "android": ""}

    login = api_client.post(URL, {"id_token": "whatever"}, format="json")
    ids = api_client.get(CLIENT_ID_URL)

    for response in (login, ids):
        assert response.status_code == 503
        assert response.json()["code"] == "not_configured"
    _assert_nothing_changed(0)


def test_google_client_ids_are_public(api_client, google_tokens, settings):
    response = api_client.get(CLIENT_ID_URL + "/")

    assert response.status_code == 200
    assert response.json() == {
        "client_id": WEB_CLIENT_ID,
        "web": WEB_CLIENT_ID,
        "ios": IOS_CLIENT_ID,
        "android": ANDROID_CLIENT_ID,
    }

    settings.GOOGLE_CLIENT_IDS = {"web": "", "ios": IOS_CLIENT_ID, "android": ""}
    assert api_client.get(CLIENT_ID_URL).json() == {
        "client_id": None,
        "web": None,
        "ios": IOS_CLIENT_ID,
        "android": None,
    }


def test_google_login_is_throttled(api_client, google_tokens, throttle_rates):
    throttle_rates(google_login="1/min")
    assert _post(api_client, google_tokens.token()).status_code == 200

    response = _post(api_client, google_tokens.token())

    assert response.status_code == 429
    assert "Retry-After" in response


def test_google_login_folds_a_profile_name_onto_one_line(api_client, google_tokens):
    token = google_tokens.token(name="Ada\r\nBcc: all@example.com")

    response = api_client.post(URL, {"id_token": token}, format="json")

    assert response.status_code == 200
    assert User.objects.get().display_name == "Ada Bcc: all@example.com"
