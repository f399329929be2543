import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import EmailVerification
from catalog.models import Artist
from media.models import MediaAsset
from tests.accounts.conftest import bearer
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
ME = "/api/v1/auth/me"

pytestmark = pytest.mark.django_db


# --- GET me ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ME, ME + "/"])
def test_get_me(user_client, user, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(5):
        response = user_client.get(url)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "bio": "",
        "avatar_url": None,
        "avatar_image": None,
        "is_email_verified": True,
        "is_creator": False,
        "role": "user",
        "language": "",
        "quality": "auto",
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
    }


def test_get_me_of_a_creator_with_an_avatar(django_assert_max_num_queries):
    user = UserFactory(is_superuser=True)
    Artist.objects.create(user=user, name="Choir")
    user.avatar = MediaAsset.objects.create(
        kind="image", status="ready", storage_key="images/profiles/a.jpg", owner=user
    )
    user.save()

    with django_assert_max_num_queries(5):
        body = client_for(user).get(ME).json()

    assert body["is_creator"] is True
    assert body["role"] == "admin"
    # A signed playback URL: the unsigned storage path is never served.
    assert body["avatar_url"].startswith(f"http://testserver/media/s/{user.avatar_id}/")
    assert body["avatar_url"].endswith("/original")


def test_me_requires_authentication(api_client):
    for method in ("get", "patch", "delete"):
        response = getattr(api_client, method)(ME)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


# --- PATCH me --------------------------------------------------------------------------------


def test_patch_me_updates_profile_fields(user_client, user):
    response = user_client.patch(
        ME,
        {"display_name": " Joan ", "bio": "Sings alto.", "username": "joan.a", "email": "x@y.z"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["bio"], body["username"]) == (
        "Joan",
        "Sings alto.",
        "joan.a",
    )
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.username) == ("Joan", "Sings alto.", "joan.a")
    assert user.email != "x@y.z"  # email is not editable here


@pytest.mark.parametrize("quality", ["data-saver", "high", "auto"])
def test_patch_me_sets_the_playback_quality(user_client, user, quality):
    response = user_client.patch(ME, {"quality": quality}, format="json")
    assert response.status_code == 200 and response.json()["quality"] == quality
    user.refresh_from_db()
    assert user.quality == quality
    assert user_client.get(ME).json()["quality"] == quality


def test_patch_me_may_change_the_case_of_its_own_username(user_client, user):
    response = user_client.patch(ME, {"username": user.username.upper()}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == user.username.upper()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "TAKEN"}, "username"),
        ({"username": "admin"}, "username"),
        ({"username": "no spaces"}, "username"),
        ({"username": "ab"}, "username"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"display_name": "Ruth\r\nBcc: all@example.com"}, "display_name"),
        ({"display_name": "Ruth\nBoaz"}, "display_name"),
        ({"display_name": "Ruth\u2028Boaz"}, "display_name"),
        ({"display_name": "Ruth\tBoaz"}, "display_name"),
        ({"bio": "x" * 2001}, "bio"),
        ({"quality": "low"}, "quality"),
        ({"quality": "data_saver"}, "quality"),
        ({"quality": ""}, "quality"),
    ],
)
def test_patch_me_refusals_change_nothing(user_client, user, data, field):
    UserFactory(username="taken")
    before = User.objects.values().get(pk=user.pk)

    response = user_client.patch(ME, {**data, "display_name": data.get("display_name", "New")})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert User.objects.values().get(pk=user.pk) == before


# --- DELETE me -------------------------------------------------------------------------------


def test_delete_me_deactivates_and_anonymises(api_client, user):
    Artist.objects.create(user=user, name="Choir")
    asset = MediaAsset.objects.create(kind="audio", storage_key="audio/x.mp3", owner=user)
    EmailVerification.objects.create(
        email=user.email, user=user, code_hash="x", expires_at=user.date_joined
    )
    sessions = [str(RefreshToken.for_user(user)) for _ in range(2)]
    old_email, old_username = user.email, user.username
    access = str(RefreshToken.for_user(user).access_token)

    response = bearer(access).delete(ME + "/")

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.is_active is False
    assert user.deleted_at is not None
    assert user.email == f"deleted-{user.pk}@deleted.invalid"
    assert user.username == f"deleted-{user.pk}"
    assert (user.display_name, user.bio, user.avatar_id) == ("Deleted user", "", None)
    assert user.has_usable_password() is False
    assert EmailVerification.objects.filter(user=user).count() == 0
    assert (
        BlacklistedToken.objects.filter(token__user=user).count()
        == OutstandingToken.objects.filter(user=user).count()
    )
    # content stays
    assert Artist.objects.filter(user=user).exists()
    assert MediaAsset.objects.filter(pk=asset.pk, owner=user).exists()
    # every way back in is closed
    assert bearer(access).get(ME).status_code == 401
    for refresh in sessions:
        assert api_client.post("/api/v1/auth/refresh", {"refresh": refresh}).status_code == 401
    login = api_client.post(
        "/api/v1/auth/login", {"email": old_email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 401
    assert api_client.get(f"/api/v1/auth/users/{old_username}").status_code == 404
    # the address and the name are free again
    again = api_client.post(
        "/api/v1/auth/register",
        {"email": old_email, "username": old_username, "password": "Sea-Otter-Lantern-91"},
        format="json",
    )
    assert again.status_code == 201


# --- public profiles -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/"])
def test_public_profile(api_client, django_assert_max_num_queries, suffix):
    user = UserFactory(username="Joan", bio="Alto.")
    Artist.objects.create(user=user, name="Joan")

    with django_assert_max_num_queries(1):
        response = api_client.get(f"/api/v1/auth/users/joan{suffix}")

    assert response.status_code == 200
    assert response.json() == {
        "username": "Joan",
        "display_name": user.display_name,
        "bio": "Alto.",
        "avatar_url": None,
        "avatar_image": None,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "is_creator": True,
    }


def test_public_profile_is_404_for_unknown_and_inactive_users(api_client):
    UserFactory(username="gone", is_active=False)

    for name in ("gone", "nobody"):
        response = api_client.get(f"/api/v1/auth/users/{name}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
