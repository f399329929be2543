from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import EmailVerification
from tests.accounts.conftest import code_from
from tests.factories import DEFAULT_PASSWORD, UserFactory

SEND = "/api/v1/auth/send-otp"
VERIFY = "/api/v1/auth/verify-otp"
RESET = "/api/v1/auth/password-reset"
SENT = {"detail": "If an account uses this address, a code is on its way."}
NEW_PASSWORD = "Brand-New-Lantern-77"

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db):
    return UserFactory(email="Joan@Example.com", is_email_verified=False)


@pytest.fixture
def send(api_client, django_capture_on_commit_callbacks):
    def send(email, purpose=None, client=None):
        data = {"email": email} if purpose is None else {"email": email, "purpose": purpose}
        with django_capture_on_commit_callbacks(execute=True):
            return (client or api_client).post(SEND, data, format="json")

    return send


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- send-otp --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SEND, SEND + "/"])
def test_send_otp_emails_a_hashed_ten_minute_code(
    api_client, unverified, mailoutbox, django_capture_on_commit_callbacks, url
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url, {"email": "joan@example.com"}, format="json")

    assert response.status_code == 200
    assert response.json() == SENT
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Joan@Example.com"]
    code = code_from(mailoutbox[0])
    row = EmailVerification.objects.get()
    assert (row.user, row.email, row.purpose, row.attempts) == (
        unverified,
        "joan@example.com",
        "verify_email",
        0,
    )
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    lifetime = row.expires_at - row.created_at
    assert timedelta(minutes=9, seconds=59) < lifetime <= timedelta(minutes=10, seconds=1)


@pytest.mark.parametrize(
    "email",
    ["nobody@example.com", "verified@example.com", "inactive@example.com"],
)
def test_send_otp_answers_the_same_and_sends_nothing_when_no_code_is_due(send, mailoutbox, email):
    UserFactory(email="verified@example.com", is_email_verified=True)
    UserFactory(email="inactive@example.com", is_email_verified=False, is_active=False)

    response = send(email)

    assert response.status_code == 200
    assert response.json() == SENT
    assert mailoutbox == []
    assert EmailVerification.objects.count() == 0


def test_send_otp_password_reset_for_a_verified_account(send, mailoutbox):
    UserFactory(email="verified@example.com", is_email_verified=True)

    response = send("verified@example.com", "password_reset")

    assert response.status_code == 200
    assert mailoutbox[0].subject == "Your CNT Media password reset code"
    assert EmailVerification.objects.get().purpose == "password_reset"


@pytest.mark.parametrize("email", ["joan@example.com", "nobody@example.com"])
def test_send_otp_cooldown_is_429_with_retry_after_for_any_address(
    send, unverified, mailoutbox, email
):
    assert send(email).status_code == 200
    sent, rows = len(mailoutbox), EmailVerification.objects.count()

    response = send(email.upper())

    assert response.status_code == 429
    assert response.json()["code"] == "otp_cooldown"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert len(mailoutbox) == sent
    assert EmailVerification.objects.count() == rows


def test_send_otp_right_after_registration_answers_as_for_an_unknown_address(
    api_client, send, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registered = api_client.post(
            "/api/v1/auth/register",
            {"email": "new@example.com", "username": "newcomer", "password": NEW_PASSWORD},
            format="json",
        )
    assert registered.status_code == 201

    known = send("new@example.com")
    unknown = send("nobody@example.com")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 200
    assert known.json() == SENT
    # and then the cooldown holds for both alike
    again_known, again_unknown = send("new@example.com"), send("nobody@example.com")
    assert again_known.status_code == again_unknown.status_code == 429
    assert again_known.json()["code"] == again_unknown.json()["code"] == "otp_cooldown"


def test_send_otp_cooldown_is_per_purpose(send, unverified, mailoutbox):
    assert send("joan@example.com").status_code == 200
    assert send("joan@example.com", "password_reset").status_code == 200
    assert len(mailoutbox) == 2


def test_a_new_code_supersedes_the_old_one(send, api_client, unverified, mailoutbox):
    send("joan@example.com")
    old = code_from(mailoutbox[0])
    cache.clear()  # the resend cooldown has passed
    send("joan@example.com")
    new = code_from(mailoutbox[1])

    if old != new:
        refused = api_client.post(VERIFY, {"email": "joan@example.com", "code": old})
        assert refused.status_code == 400
    accepted = api_client.post(VERIFY, {"email": "joan@example.com", "code": new})
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["email"]),
        ({"email": "not-an-email"}, ["email"]),
        ({"email": "joan@example.com", "purpose": "login"}, ["purpose"]),
    ],
)
def test_send_otp_bad_input_is_400(api_client, mailoutbox, data, fields):
    response = api_client.post(SEND, data, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == fields
    assert mailoutbox == []


def test_send_otp_is_throttled_per_ip(send, throttle_rates):
    throttle_rates(send_otp="2/min")
    send("a@example.com")
    send("b@example.com")

    response = send("c@example.com")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response


def test_registration_code_replay_after_use_sends_nothing(unverified, mailoutbox):
    row = EmailVerification.objects.create(
        email="joan@example.com",
        user=unverified,
        code_hash="x",
        expires_at=timezone.now() + timedelta(minutes=5),
        consumed_at=timezone.now(),
    )
    assert services.otp_email_send(verification_id=row.pk, code="123456") is False
    assert mailoutbox == []


# --- verify-otp ------------------------------------------------------------------------------


@pytest.fixture
def issued(send, unverified, mailoutbox):
    """A verify_email code sent to Joan; returns the code."""
    send("joan@example.com")
    return code_from(mailoutbox[-1])


@pytest.mark.parametrize("url", [VERIFY, VERIFY + "/"])
def test_verify_otp_marks_the_email_verified_once(api_client, unverified, issued, url):
    data = {"email": "JOAN@example.com", "code": issued, "purpose": "verify_email"}

    response = api_client.post(url, data, format="json")

    assert response.status_code == 200
    assert response.json() == {"verified": True, "purpose": "verify_email"}
    unverified.refresh_from_db()
    assert unverified.is_email_verified is True
    assert EmailVerification.objects.get().consumed_at is not None

    reused = api_client.post(url, data, format="json")
    assert reused.status_code == 400
    assert reused.json() == {"detail": "The code is invalid.", "code": "otp_invalid"}


def test_verify_otp_wrong_code_counts_an_attempt(api_client, unverified, issued):
    response = api_client.post(VERIFY, {"email": "joan@example.com", "code": _wrong(issued)})

    assert response.status_code == 400
    assert response.json() == {"detail": "The code is invalid.", "code": "otp_invalid"}
    row = EmailVerification.objects.get()
    assert (row.attempts, row.consumed_at) == (1, None)
    unverified.refresh_from_db()
    assert unverified.is_email_verified is False


def test_verify_otp_allows_five_attempts_then_locks_the_code(api_client, unverified, issued):
    codes = []
    for _ in range(5):
        response = api_client.post(VERIFY, {"email": "joan@example.com", "code": _wrong(issued)})
        codes.append(response.json()["code"])

    right = api_client.post(VERIFY, {"email": "joan@example.com", "code": issued})

    assert codes == ["otp_invalid"] * 4 + ["otp_attempts_exceeded"]
    assert right.status_code == 400
    assert right.json() == {
        "detail": "Too many wrong attempts; ask for a new code.",
        "code": "otp_attempts_exceeded",
    }
    assert EmailVerification.objects.get().attempts == 5
    unverified.refresh_from_db()
    assert unverified.is_email_verified is False


def test_verify_otp_refuses_an_expired_code(api_client, unverified, issued):
    EmailVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client.post(VERIFY, {"email": "joan@example.com", "code": issued})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The code has expired; ask for a new one.",
        "code": "otp_expired",
    }
    unverified.refresh_from_db()
    assert unverified.is_email_verified is False


def test_verify_otp_codes_are_bound_to_their_purpose_and_address(api_client, unverified, issued):
    other = api_client.post(VERIFY, {"email": "other@example.com", "code": issued})
    reset = api_client.post(
        VERIFY, {"email": "joan@example.com", "code": issued, "purpose": "password_reset"}
    )

    assert other.json()["code"] == "otp_invalid"
    assert reset.json()["code"] == "otp_invalid"
    unverified.refresh_from_db()
    assert unverified.is_email_verified is False


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"email": "joan@example.com", "code": "12345"}, ["code"]),
        ({"email": "joan@example.com", "code": "12345a"}, ["code"]),
        ({"email": "joan@example.com"}, ["code"]),
        ({"code": "123456"}, ["email"]),
    ],
)
def test_verify_otp_bad_input_is_400_and_counts_nothing(api_client, issued, data, fields):
    response = api_client.post(VERIFY, data, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == fields
    assert EmailVerification.objects.get().attempts == 0


def test_verify_otp_is_throttled(api_client, issued, throttle_rates):
    throttle_rates(verify_otp="2/min")
    for _ in range(2):
        api_client.post(VERIFY, {"email": "joan@example.com", "code": _wrong(issued)})

    response = api_client.post(VERIFY, {"email": "joan@example.com", "code": issued})

    assert response.status_code == 429
    assert "Retry-After" in response
    assert EmailVerification.objects.get().consumed_at is None


# --- password-reset --------------------------------------------------------------------------


@pytest.fixture
def reset_code(send, mailoutbox):
    def issue(user):
        send(user.email, "password_reset")
        return code_from(mailoutbox[-1])

    return issue


def test_password_reset_sets_the_password_and_ends_every_session(api_client, reset_code):
    user = UserFactory(email="sam@example.com", is_email_verified=False)
    sessions = [str(RefreshToken.for_user(user)) for _ in range(2)]
    code = reset_code(user)

    checked = api_client.post(
        VERIFY, {"email": "sam@example.com", "code": code, "purpose": "password_reset"}
    )
    assert checked.status_code == 200  # checking a reset code does not use it up

    response = api_client.post(
        RESET + "/",
        {"email": "sam@example.com", "code": code, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"detail": "Your password has been changed. Sign in again."}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.is_email_verified is True
    assert BlacklistedToken.objects.filter(token__user=user).count() == 2
    for refresh in sessions:
        refused = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
        assert refused.status_code == 401
    login = api_client.post(
        "/api/v1/auth/login", {"email": "sam@example.com", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200

    reused = api_client.post(
        RESET, {"email": "sam@example.com", "code": code, "new_password": "Another-Lantern-78"}
    )
    assert reused.status_code == 400
    assert reused.json()["code"] == "otp_invalid"


def _unchanged(user, session):
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not BlacklistedToken.objects.filter(token__jti=session["jti"]).exists()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda code: {"code": _wrong(code)}, "otp_invalid"),
        (lambda code: {"email": "stranger@example.com"}, "otp_invalid"),
        ("expire", "otp_expired"),
    ],
)
def test_password_reset_refusals_change_nothing(api_client, reset_code, mutate, expected):
    user = UserFactory(email="sam@example.com")
    session = RefreshToken.for_user(user)
    code = reset_code(user)
    data = {"email": "sam@example.com", "code": code, "new_password": NEW_PASSWORD}
    if mutate == "expire":
        EmailVerification.objects.update(expires_at=timezone.now())
    else:
        data.update(mutate(code))

    response = api_client.post(RESET, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == expected
    _unchanged(user, session)


def test_password_reset_with_a_verify_email_code_is_refused(api_client, unverified, issued):
    session = RefreshToken.for_user(unverified)
    response = api_client.post(
        RESET, {"email": "joan@example.com", "code": issued, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"
    _unchanged(unverified, session)


def test_password_reset_weak_password_keeps_the_code(api_client, reset_code):
    user = UserFactory(email="sam@example.com")
    session = RefreshToken.for_user(user)
    code = reset_code(user)

    response = api_client.post(
        RESET, {"email": "sam@example.com", "code": code, "new_password": "123456789"}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["new_password"]
    _unchanged(user, session)
    row = EmailVerification.objects.get()
    assert (row.consumed_at, row.attempts) == (None, 0)


def test_password_reset_is_throttled(api_client, throttle_rates):
    throttle_rates(password_reset="1/min")
    data = {"email": "x@example.com", "code": "123456", "new_password": NEW_PASSWORD}
    api_client.post(RESET, data)

    response = APIClient().post(RESET, data)

    assert response.status_code == 429
    assert "Retry-After" in response
