"""Django Admin logins are throttled per account and per IP by django-axes; the API's own
JWT login keeps working beside it; an administrator can unlock with axes_reset_username."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


def admin_login(username, password, ip="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=ip)
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )
    return client, response


def is_signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_a_correct_admin_login_works(chief):
    client, response = admin_login("chief", DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_repeated_failures_lock_the_account_even_with_the_right_password(chief):
    for _ in range(LIMIT - 1):
        _, response = admin_login("chief", "wrong-guess")
        assert response.status_code == 200  # the login form again
    assert admin_login("chief", "wrong-guess")[1].status_code == 429  # the last allowed

    client, response = admin_login("chief", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert b"Sign-in temporarily locked" in response.content
    assert f"{LIMIT} failed sign-in attempts".encode() in response.content
    assert not is_signed_in(client)


def test_the_account_is_locked_from_every_address(chief):
    for index in range(LIMIT):
        admin_login("chief", "wrong-guess", ip=f"10.0.1.{index}")

    client, response = admin_login("chief", DEFAULT_PASSWORD, ip="10.9.9.9")

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_case_variants_count_against_one_account(chief):
    for index, name in enumerate(["Chief", "CHIEF", "chief "][:LIMIT]):
        admin_login(name, "wrong-guess", ip=f"10.0.2.{index}")

    _, response = admin_login("chief", DEFAULT_PASSWORD, ip="10.9.9.8")

    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(chief):
    for index in range(LIMIT):
        admin_login(f"someone{index}", "wrong-guess", ip="10.0.3.1")

    client, response = admin_login("chief", DEFAULT_PASSWORD, ip="10.0.3.1")

    assert response.status_code == 429
    assert not is_signed_in(client)
    # the account itself is not locked for its owner elsewhere
    _, elsewhere = admin_login("chief", DEFAULT_PASSWORD, ip="10.0.3.2")
    assert elsewhere.status_code == 302


def test_axes_reset_username_unlocks(chief):
    for _ in range(LIMIT):
        admin_login("chief", "wrong-guess", ip="10.0.4.1")
    assert admin_login("chief", DEFAULT_PASSWORD, ip="10.0.4.2")[1].status_code == 429

    call_command("axes_reset_username", "chief")

    client, response = admin_login("chief", DEFAULT_PASSWORD, ip="10.0.4.2")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_api_login_works_beside_axes_and_does_not_feed_it(api_client, chief):
    for _ in range(LIMIT + 2):
        failed = api_client.post(
            "/api/v1/auth/login", {"username": "chief", "password": "wrong"}, format="json"
        )
        assert failed.status_code == 401
    assert AccessAttempt.objects.count() == 0

    response = api_client.post(
        "/api/v1/auth/login", {"username": "chief", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh", "user"}
    assert admin_login("chief", DEFAULT_PASSWORD)[1].status_code == 302


def test_an_admin_lockout_does_not_block_the_api_login(api_client, chief):
    for _ in range(LIMIT):
        admin_login("chief", "wrong-guess")

    response = api_client.post(
        "/api/v1/auth/login", {"username": "chief", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_lockout_page_is_served_under_asgi_too(chief):
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    async def attempts():
        client = AsyncClient(REMOTE_ADDR="10.0.5.1")
        url = reverse("admin:login")
        statuses = []
        for _ in range(LIMIT + 1):
            response = await client.post(url, {"username": "chief", "password": "wrong"})
            statuses.append((response.status_code, b"temporarily locked" in response.content))
        return statuses

    statuses = async_to_sync(attempts)()

    assert statuses == [(200, False)] * (LIMIT - 1) + [(429, True)] * 2


def test_a_spoofed_forwarded_for_does_not_dodge_the_address_lockout(chief):
    client = Client(REMOTE_ADDR="10.0.6.1")
    for index in range(LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": f"someone{index}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )

    _, response = admin_login("chief", DEFAULT_PASSWORD, ip="10.0.6.1")

    assert response.status_code == 429


def test_behind_trusted_proxies_the_forwarded_client_is_counted(chief, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="10.0.7.1")
    for index in range(LIMIT):
        proxy.post(
            reverse("admin:login"),
            {"username": f"someone{index}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    locked = proxy.post(
        reverse("admin:login"),
        {"username": "chief", "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    other_client = Client(REMOTE_ADDR="10.0.7.1").post(
        reverse("admin:login"),
        {"username": "chief", "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302
