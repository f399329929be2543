import cnt.settings.base as base_settings
from cnt.api.throttles import parse_rate


def test_argon2_is_the_production_password_hasher():
    # tests/conftest.py switches tests to MD5 for speed; the real settings must lead with Argon2.
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_backend_is_installed():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Sea-Otter-Lantern-91", hasher.salt())
    assert encoded.startswith("argon2$")
    assert hasher.verify("Sea-Otter-Lantern-91", encoded)


def test_refresh_tokens_rotate_and_are_blacklisted():
    assert base_settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] is True
    assert base_settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"] is True
    assert "rest_framework_simplejwt.token_blacklist" in base_settings.INSTALLED_APPS


def test_every_auth_throttle_scope_has_a_rate():
    rates = base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    for scope in (
        "login",
        "register",
        "send_otp",
        "verify_otp",
        "check_username",
        "password_reset",
        "google_login",
    ):
        count, seconds = parse_rate(rates[scope])
        assert count > 0 and seconds > 0


def test_parse_rate():
    assert parse_rate("10/min") == (10, 60)
    assert parse_rate("5/hour") == (5, 3600)
    assert parse_rate("1/s") == (1, 1)
    assert parse_rate("100/day") == (100, 86400)
