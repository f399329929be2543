import pytest

from accounts.validators import RESERVED_USERNAMES, username_problem
from tests.factories import UserFactory

URL = "/api/v1/auth/check-username"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["abc", "a" * 30, "Grace.Hopper", "x_y-z.9"])
@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_free_valid_usernames_are_available(api_client, username, url):
    response = api_client.post(url, {"username": username}, format="json")

    assert response.status_code == 200
    assert response.json() == {"available": True}


def test_taken_usernames_ignore_case(api_client):
    UserFactory(username="Grace")

    response = api_client.post(URL, {"username": "gRACE"}, format="json")

    assert response.json() == {
        "available": False,
        "reason": "taken",
        "detail": "A user with that username already exists.",
    }


@pytest.mark.parametrize(
    "username",
    ["admin", "ROOT", "api", "support", "moderator", "cnt", "system", "null", "me", "deleted-1"],
)
def test_reserved_usernames_are_refused(api_client, username):
    response = api_client.post(URL, {"username": username}, format="json")

    assert response.json() == {
        "available": False,
        "reason": "reserved",
        "detail": "This username is reserved.",
    }


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("ab", "too_short"),
        ("a" * 31, "too_long"),
        ("grace hopper", "invalid_characters"),
        ("grace@home", "invalid_characters"),
        ("gräce", "invalid_characters"),
        ("<script>", "invalid_characters"),
    ],
)
def test_invalid_usernames_name_the_rule(api_client, username, reason):
    response = api_client.post(URL, {"username": username}, format="json")

    assert response.status_code == 200
    assert response.json()["available"] is False
    assert response.json()["reason"] == reason


def test_check_username_matches_the_registration_rules():
    for name in RESERVED_USERNAMES:
        assert username_problem(name) == "reserved"


def test_check_username_bad_input_is_400(api_client):
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["username"]


def test_check_username_is_throttled(api_client, throttle_rates):
    throttle_rates(check_username="2/min")
    for name in ("one1", "two2"):
        api_client.post(URL, {"username": name}, format="json")

    response = api_client.post(URL, {"username": "three3"}, format="json")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
