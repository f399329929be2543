"""finance/bank-details: validation, masking, encryption at rest, audit, key rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from finance import crypto
from finance.models import BankDetails, BankDetailsChange
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.finance.conftest import KEY_NEW, KEY_OLD
from tests.finance.factories import BankDetailsFactory, DonationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/finance/bank-details"
UK = {
    "account_name": "Grace Hopper",
    "bank_name": "Barclays",
    "account_number": "31926819",
    "sort_code": "20-00-00",
}
# A valid GB IBAN (mod-97 checks out) and BIC.
IBAN = "GB29NWBK60161331926819"
NO_UK = {"account_number": "", "sort_code": ""}
EU = {
    "account_name": "Ada",
    "bank_name": "ING",
    "iban": "NL91 ABNA 0417 1643 00",
    "swift": "INGBNL2A",
}


def raw_columns(user) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_number, routing_code, iban FROM bank_details WHERE user_id = %s",
            [user.pk],
        )
        number, sort_code, iban = cursor.fetchone()
    return {"account_number": number, "routing_code": sort_code, "iban": iban}


def test_put_stores_encrypted_and_answers_masked():
    user = UserFactory()
    response = client_for(user).put(URL, {**UK, "iban": IBAN, "swift": "nwbkgb2l"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "account_name": "Grace Hopper",
        "bank_name": "Barclays",
        "account_number": "****6819",
        "sort_code": "**-**-00",
        "iban": "****6819",
        "swift": "NWBKGB2L",
        "country": "GB",
        "currency": "GBP",
        "is_verified": False,
    }
    raw = raw_columns(user)
    assert "31926819" not in raw["account_number"]
    assert "20-00-00" not in raw["routing_code"]
    assert IBAN not in raw["iban"] and "6819" not in raw["iban"]
    fernet = Fernet(KEY_OLD.encode())
    assert fernet.decrypt(raw["account_number"].encode()) == b"31926819"
    assert fernet.decrypt(raw["routing_code"].encode()) == b"20-00-00"
    assert fernet.decrypt(raw["iban"].encode()) == IBAN.encode()
    details = BankDetails.objects.get(user=user)
    assert (details.account_number, details.routing_code, details.iban) == (
        "31926819",
        "20-00-00",
        IBAN,
    )


def test_the_owner_reads_them_masked_and_nothing_else_leaks():
    user = UserFactory()
    client_for(user).put(URL, EU, format="json")
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert response.json()["iban"] == "****4300"
    assert response.json()["account_number"] == ""
    assert response.json()["country"] == "NL"
    assert "0417164300" not in response.content.decode()


def test_others_never_see_them():
    owner = UserFactory()
    client_for(owner).put(URL, UK, format="json")
    other = client_for(UserFactory()).get(URL)
    assert other.status_code == 404
    assert "6819" not in other.content.decode()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_anonymous_callers_get_401(api_client, method):
    response = getattr(api_client, method)(URL, UK, format="json")
    assert response.status_code == 401
    assert BankDetails.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({**NO_UK, "iban": "GB28NWBK60161331926819"}, "iban"),  # bad checksum
        ({**NO_UK, "iban": "GB29NWBK6016133192681"}, "iban"),  # wrong length for GB
        ({**NO_UK, "iban": "XX"}, "iban"),
        ({"sort_code": "20-00-0"}, "sort_code"),
        ({"sort_code": "AB-CD-EF"}, "sort_code"),
        ({"account_number": "3192681"}, "account_number"),  # UK numbers have 8 digits
        ({"account_number": "12ab5678"}, "account_number"),
        ({"account_number": "", "sort_code": ""}, "account_number"),  # neither number nor IBAN
        ({"account_number": ""}, "account_number"),  # sort code without its number
        ({"swift": "NWBK"}, "swift"),
        ({"swift": "NWBKGB2LXXXX"}, "swift"),
        ({"swift": "1WBKGB2L"}, "swift"),
        ({"account_name": ""}, "account_name"),
        ({"country": "GBR"}, "country"),
    ],
)
def test_invalid_details_are_400_and_store_nothing(changes, field):
    user = UserFactory()
    response = client_for(user).put(URL, {**UK, **changes}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert BankDetails.objects.count() == 0
    assert BankDetailsChange.objects.count() == 0


def test_sort_codes_are_normalised():
    user = UserFactory()
    client_for(user).put(URL, {**UK, "sort_code": "20 00 00"}, format="json")
    assert BankDetails.objects.get().routing_code == "20-00-00"


def test_every_change_is_audited_by_field_name_only():
    user = UserFactory()
    client = client_for(user)
    client.put(URL, UK, format="json")
    client.put(URL, UK, format="json")  # no change: no audit row
    client.put(URL, {**UK, "bank_name": "HSBC", "account_number": "55779911"}, format="json")
    client.delete(URL)
    changes = list(BankDetailsChange.objects.order_by("id"))
    assert [(c.action, c.fields, c.changed_by_id, c.owner_id, c.source) for c in changes] == [
        (
            "created",
            ["account_holder_name", "account_number", "bank_name", "country", "currency",
             "routing_code"],
            user.pk,
            user.pk,
            "api",
        ),
        ("updated", ["account_number", "bank_name"], user.pk, user.pk, "api"),
        ("deleted", [], user.pk, user.pk, "api"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT fields::text FROM bank_details_changes")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "31926819" not in stored and "55779911" not in stored and "HSBC" not in stored


def test_changing_the_account_lifts_its_verification():
    details = BankDetailsFactory(is_verified=True)
    client = client_for(details.user)
    client.put(URL, {**UK, "account_name": details.account_holder_name}, format="json")
    details.refresh_from_db()
    assert details.is_verified is True  # same account: still verified
    client.put(URL, {**UK, "account_number": "55779911"}, format="json")
    details.refresh_from_db()
    assert details.is_verified is False
    assert BankDetailsChange.objects.get().fields == ["account_number", "is_verified"]


def test_delete_removes_them():
    details = BankDetailsFactory()
    client = client_for(details.user)
    assert client.delete(URL).status_code == 204
    assert BankDetails.objects.count() == 0
    assert client.delete(URL).status_code == 404


def test_encrypted_columns_cannot_be_filtered_on():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        BankDetails.objects.filter(account_number="31926819").exists()


# --- keys ----------------------------------------------------------------------------------


def test_rotation_re_encrypts_every_value_under_the_new_key(settings):
    first = BankDetailsFactory()
    second = BankDetailsFactory(iban=IBAN, account_number="", routing_code="")
    donation = DonationFactory(response_status=201, response_body='{"client_secret": "x"}')
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("rotate_finance_keys", "--batch-size", "1", stdout=out, stderr=err)
    output = out.getvalue()
    # One bar on stderr, restarted per table; the summary on stdout.
    assert "finance.BankDetails:" in err.getvalue() and "finance.Donation: 100%" in err.getvalue()
    assert "Re-encrypted 4 values; 0 already under the current key" in output
    assert "finance.BankDetails 2, finance.Donation 1" in output
    new = Fernet(KEY_NEW.encode())
    raw = raw_columns(first.user)
    assert new.decrypt(raw["account_number"].encode()) == b"31926819"
    assert new.decrypt(raw_columns(second.user)["iban"].encode()) == IBAN.encode()
    # The old key can go now.
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_NEW]
    assert BankDetails.objects.get(pk=first.pk).account_number == "31926819"
    donation.refresh_from_db()
    assert donation.response_body == '{"client_secret": "x"}'
    out = StringIO()
    call_command("rotate_finance_keys", stdout=out)
    assert "Re-encrypted 0 values; 4 already under the current key" in out.getvalue()


def test_rotation_reports_values_no_key_opens(settings):
    BankDetailsFactory()
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_NEW]  # the old key dropped too early
    with pytest.raises(CommandError, match="2 values could not be decrypted"):
        call_command("rotate_finance_keys", stdout=None)
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_OLD]
    assert BankDetails.objects.get().account_number == "31926819"  # left unchanged


def test_reading_with_a_missing_key_fails_loudly(settings):
    details = BankDetailsFactory()
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_NEW]
    with pytest.raises(crypto.UndecryptableValue):
        BankDetails.objects.get(pk=details.pk)


def test_without_configured_keys_a_key_is_derived_from_the_secret_key(settings):
    settings.FINANCE_ENCRYPTION_KEYS = []
    details = BankDetailsFactory()
    raw = raw_columns(details.user)["account_number"]
    derived = Fernet(crypto.derived_key(settings.SECRET_KEY))
    assert derived.decrypt(raw.encode()) == b"31926819"
    assert BankDetails.objects.get().account_number == "31926819"
    # Moving to configured keys: the derived key opens the old data during rotation.
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_NEW]
    call_command("rotate_finance_keys", "--include-derived-key", stdout=None)
    assert BankDetails.objects.get().account_number == "31926819"


def test_a_malformed_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FINANCE_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_keys_may_be_given_as_one_comma_separated_string(settings):
    settings.FINANCE_ENCRYPTION_KEYS = f"{KEY_NEW}, {KEY_OLD}"
    assert crypto.configured_keys() == (KEY_NEW, KEY_OLD)
    token = crypto.encrypt("secret")
    assert Fernet(KEY_NEW.encode()).decrypt(token.encode()) == b"secret"
