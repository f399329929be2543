import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import EmailVerification
from tests.accounts.conftest import bearer, code_from
from tests.factories import UserFactory

User = get_user_model()
URL = "/api/v1/auth/register"
GOOD = {
    "email": "Grace.Hopper@Example.com",
    "username": "grace_h",
    "password": "Sea-Otter-Lantern-91",
    "display_name": "Grace Hopper",
}

pytestmark = pytest.mark.django_db


def _nothing_created(users_before: int, mailoutbox) -> None:
    assert User.objects.count() == users_before
    assert EmailVerification.objects.count() == 0
    assert OutstandingToken.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("url", [URL, URL + "/"])
def test_register_creates_account_signs_in_and_emails_a_code(
    api_client, mailoutbox, django_capture_on_commit_callbacks, url
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url, GOOD, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    user = User.objects.get()
    assert body["user"] == {
        "id": user.pk,
        "username": "grace_h",
        "email": "Grace.Hopper@example.com",
        "display_name": "Grace Hopper",
        "bio": "",
        "avatar_url": None,
        "avatar_image": None,
        "is_email_verified": False,
        "is_creator": False,
        "role": "user",
        "language": "",
        "quality": "auto",
        "date_joined": body["user"]["date_joined"],
    }
    assert user.check_password(GOOD["password"])
    assert user.password != GOOD["password"]
    assert OutstandingToken.objects.filter(user=user).count() == 1

    me = bearer(body["access"]).get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "grace_h"

    verification = EmailVerification.objects.get()
    assert (verification.user, verification.purpose, verification.email) == (
        user,
        "verify_email",
        "grace.hopper@example.com",
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["Grace.Hopper@example.com"]
    assert message.subject == "Verify your CNT Media email"
    code = code_from(message)
    assert code not in verification.code_hash
    assert message.alternatives[0][1] == "text/html"
    assert code in message.alternatives[0][0]


def test_register_display_name_defaults_to_username(api_client):
    data = {key: value for key, value in GOOD.items() if key != "display_name"}
    response = api_client.post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["user"]["display_name"] == "grace_h"


def test_register_ignores_a_stale_authorization_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.post(URL, GOOD, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("existing", "field"),
    [
        ({"email": "GRACE.hopper@example.COM"}, "email"),
        ({"username": "GRACE_H"}, "username"),
    ],
)
def test_register_refuses_taken_email_or_username_ignoring_case(
    api_client, mailoutbox, existing, field
):
    UserFactory(**existing)
    before = User.objects.count()

    response = api_client.post(URL, GOOD, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert "already exists" in body["errors"][field][0]
    _nothing_created(before, mailoutbox)


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901", "grace_h_2024", ""],
)
def test_register_runs_django_password_validators(api_client, mailoutbox, password):
    response = api_client.post(URL, {**GOOD, "password": password}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]
    _nothing_created(0, mailoutbox)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("admin", "This username is reserved."),
        ("Support", "This username is reserved."),
        ("deleted-7", "This username is reserved."),
        ("ab", "Usernames have at least 3 characters."),
        ("a" * 31, "Usernames have at most 30 characters."),
        ("bob!", "Use only letters, digits, '.', '_' and '-'."),
        ("bob smith", "Use only letters, digits, '.', '_' and '-'."),
        ("bób", "Use only letters, digits, '.', '_' and '-'."),
    ],
)
def test_register_applies_username_rules(api_client, mailoutbox, username, message):
    response = api_client.post(URL, {**GOOD, "username": username}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"username": [message]}
    _nothing_created(0, mailoutbox)


def test_register_reports_every_bad_field_at_once(api_client, mailoutbox):
    response = api_client.post(URL, {"email": "nope", "password": "1"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "username", "password"}
    _nothing_created(0, mailoutbox)


def test_register_refuses_placeholder_email_domain(api_client, mailoutbox):
    response = api_client.post(URL, {**GOOD, "email": "x@deleted.invalid"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]
    _nothing_created(0, mailoutbox)


def test_register_is_throttled_per_ip(api_client, throttle_rates, mailoutbox):
    throttle_rates(register="2/min")
    for index in range(2):
        data = {**GOOD, "email": f"u{index}@example.com", "username": f"user_{index}"}
        assert api_client.post(URL, data, format="json").status_code == 201

    response = api_client.post(
        URL, {**GOOD, "email": "u9@example.com", "username": "user_9"}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert User.objects.count() == 2
    assert not User.objects.filter(username="user_9").exists()


@pytest.mark.parametrize("field", ["email", "username"])
def test_register_race_lost_at_the_database_is_still_a_400(
    api_client, mailoutbox, monkeypatch, field
):
    # Both requests passed validation; the unique constraint decides.
    UserFactory(email=GOOD["email"].upper(), username="first")
    if field == "username":
        UserFactory(username=GOOD["username"].upper(), email="second@example.com")
    monkeypatch.setattr("accounts.selectors.user_email_taken", lambda **kwargs: False)
    monkeypatch.setattr("accounts.selectors.username_taken", lambda **kwargs: False)
    data = GOOD if field == "email" else {**GOOD, "email": "third@example.com"}
    before = User.objects.count()

    response = api_client.post(URL, data, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    _nothing_created(before, mailoutbox)


@pytest.mark.parametrize(
    "name", ["Ada\r\nBcc: all@example.com", "Ada\nLovelace", "Ada\x85Lovelace"]
)
def test_register_refuses_a_display_name_with_line_breaks(api_client, mailoutbox, name):
    response = api_client.post(
        "/api/v1/auth/register",
        {
            "email": "ada@example.com",
            "username": "ada_l",
            "password": "Brand-New-Lantern-77",
            "display_name": name,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["display_name"]
    assert User.objects.count() == 0
    assert mailoutbox == []
