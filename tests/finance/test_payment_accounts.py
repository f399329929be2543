"""finance/payment-accounts: own accounts only, exactly one default."""

import pytest

from finance.models import PaymentAccount
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.finance.factories import PaymentAccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/finance/payment-accounts"


def add(client, account_id, **extra):
    return client.post(
        URL, {"provider": "stripe", "account_id": account_id, **extra}, format="json"
    )


def defaults(user) -> list[str]:
    return list(
        PaymentAccount.objects.filter(user=user, is_default=True).values_list(
            "provider_account_id", flat=True
        )
    )


def test_the_first_account_is_the_default_and_a_new_default_moves_it():
    user = UserFactory()
    client = client_for(user)
    first = add(client, "acct_first0001")
    assert first.status_code == 201
    assert first.json() == {
        "id": first.json()["id"],
        "provider": "stripe",
        "account_id": "acct_first0001",
        "status": "pending",
        "is_default": True,
        "created_at": first.json()["created_at"],
    }
    assert add(client, "acct_second001").json()["is_default"] is False
    assert defaults(user) == ["acct_first0001"]
    assert add(client, "acct_third0001", is_default=True).json()["is_default"] is True
    assert defaults(user) == ["acct_third0001"]


def test_make_default_and_delete_keep_exactly_one_default():
    user = UserFactory()
    client = client_for(user)
    a = add(client, "acct_aaaaaaaa").json()
    b = add(client, "acct_bbbbbbbb").json()
    assert client.post(f"{URL}/{b['id']}/default").json()["is_default"] is True
    assert defaults(user) == ["acct_bbbbbbbb"]
    assert client.delete(f"{URL}/{b['id']}").status_code == 204
    assert defaults(user) == ["acct_aaaaaaaa"]
    assert client.delete(f"{URL}/{a['id']}/").status_code == 204
    assert PaymentAccount.objects.filter(user=user).count() == 0


def test_list_shows_only_the_callers_accounts_default_first(django_assert_max_num_queries):
    user = UserFactory()
    PaymentAccountFactory(user=user)
    default = PaymentAccountFactory(user=user, is_default=True)
    PaymentAccountFactory(user=user)
    PaymentAccountFactory()  # someone else's
    client = client_for(user)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert response.json()["results"][0]["id"] == default.pk


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "stripe", "account_id": "cus_123"},
        {"provider": "stripe", "account_id": "acct_"},
        {"provider": "paypal", "account_id": "acct_1234567"},
        {"provider": "bitcoin", "account_id": "acct_12345678"},
        {"provider": "stripe"},
    ],
)
def test_invalid_accounts_are_400(body):
    response = client_for(UserFactory()).post(URL, body, format="json")
    assert response.status_code == 400
    assert PaymentAccount.objects.count() == 0


def test_an_account_registered_already_is_409():
    PaymentAccountFactory(provider_account_id="acct_taken0001")
    user = UserFactory()
    response = add(client_for(user), "acct_taken0001")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_account"
    assert PaymentAccount.objects.filter(user=user).count() == 0


@pytest.mark.parametrize("caller", ["anonymous", "other"])
def test_nobody_else_reads_changes_or_deletes_an_account(api_client, caller):
    account = PaymentAccountFactory(is_default=True)
    client = api_client if caller == "anonymous" else client_for(UserFactory())
    expected = 401 if caller == "anonymous" else 404
    assert client.get(f"{URL}/{account.pk}").status_code == expected
    assert client.delete(f"{URL}/{account.pk}").status_code == expected
    assert client.post(f"{URL}/{account.pk}/default").status_code == expected
    account.refresh_from_db()
    assert account.is_default is True
    assert PaymentAccount.objects.count() == 1
