"""POST /api/v1/donations/ through the real Stripe SDK against the local fake server."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.models import Donation, DonationStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.finance import fake_stripe
from tests.finance.factories import ArtistFactory, DonationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/donations/"


def give(client, body, key="key-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers, **extra)


def test_a_donation_creates_one_payment_intent_and_returns_its_client_secret(gateway):
    donor = UserFactory()
    artist = ArtistFactory()
    response = give(
        client_for(donor),
        {"amount": "25.50", "currency": "gbp", "recipient": artist.pk, "message": "Bless you"},
    )
    assert response.status_code == 201, response.json()
    donation = Donation.objects.get()
    intent = gateway.intents[f"cnt-donation-{donation.pk}"]
    assert response.json() == {
        "id": donation.pk,
        "status": "pending",
        "amount": "25.50",
        "currency": "GBP",
        "recipient": artist.pk,
        "message": "Bless you",
        "is_anonymous": False,
        "payment_intent_id": intent["id"],
        "client_secret": intent["client_secret"],
        "created_at": response.json()["created_at"],
    }
    assert "Idempotent-Replayed" not in response
    # One call, in Stripe's wire format, with our idempotency key and secret key.
    [call] = gateway.intent_calls
    assert call.form["amount"] == "2550"
    assert call.form["currency"] == "gbp"
    assert call.form["automatic_payment_methods"] == {"enabled": "true"}
    assert call.form["metadata"] == {
        "donation_id": str(donation.pk),
        "donor_id": str(donor.pk),
        "recipient_id": str(artist.pk),
    }
    assert call.headers["Idempotency-Key"] == f"cnt-donation-{donation.pk}"
    assert call.headers["Authorization"] == f"Bearer {fake_stripe.SECRET_KEY}"
    assert donation.status == DonationStatus.PENDING
    assert donation.amount == Decimal("25.50")
    assert donation.provider_reference == intent["id"]
    assert donation.recipient == artist
    assert donation.donor == donor


def test_a_donation_to_the_church_has_no_recipient(gateway):
    response = give(client_for(UserFactory()), {"amount": "5", "currency": "USD"})
    assert response.status_code == 201
    assert response.json()["recipient"] is None
    assert response.json()["amount"] == "5.00"
    assert gateway.intent_calls[0].form["amount"] == "500"
    assert gateway.intent_calls[0].form["currency"] == "usd"


def test_the_same_key_returns_the_same_donation_and_response(gateway):
    client = client_for(UserFactory())
    body = {"amount": "10.00", "currency": "GBP"}
    first = give(client, body)
    second = give(client, body)
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    assert second["Idempotent-Replayed"] == "true"
    assert Donation.objects.count() == 1
    assert len(gateway.intent_calls) == 1


def test_equivalent_bodies_are_the_same_request(gateway):
    client = client_for(UserFactory())
    first = give(client, {"amount": "10", "currency": "gbp"})
    second = give(client, {"amount": "10.00", "currency": "GBP", "fee": "0.50"})
    assert second.status_code == 201
    assert second.json() == first.json()
    assert len(gateway.intent_calls) == 1


def test_the_same_key_with_a_different_body_is_422_and_changes_nothing(gateway):
    client = client_for(UserFactory())
    first = give(client, {"amount": "10.00", "currency": "GBP"})
    response = give(client, {"amount": "20.00", "currency": "GBP"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    donation = Donation.objects.get()
    assert donation.amount == Decimal("10.00")
    assert len(gateway.intent_calls) == 1
    assert give(client, {"amount": "10.00", "currency": "GBP"}).json() == first.json()


def test_keys_are_per_donor(gateway):
    give(client_for(UserFactory()), {"amount": "10.00", "currency": "GBP"}, key="shared")
    response = give(client_for(UserFactory()), {"amount": "10.00", "currency": "GBP"}, key="shared")
    assert response.status_code == 201
    assert Donation.objects.count() == 2
    assert len(gateway.intent_calls) == 2


@pytest.mark.parametrize("key", [None, "", "x" * 129, "has space", "naïve"])
def test_an_idempotency_key_is_required(gateway, key):
    response = give(client_for(UserFactory()), {"amount": "10.00", "currency": "GBP"}, key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert Donation.objects.count() == 0
    assert gateway.intent_calls == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "currency": "GBP"}, "amount"),
        ({"amount": "0.00", "currency": "GBP"}, "amount"),
        ({"amount": "-5.00", "currency": "GBP"}, "amount"),
        ({"amount": "0.99", "currency": "GBP"}, "amount"),
        ({"amount": "1.001", "currency": "GBP"}, "amount"),
        ({"amount": "10000.01", "currency": "GBP"}, "amount"),
        ({"amount": "99999999999", "currency": "GBP"}, "amount"),
        ({"amount": "1e30", "currency": "GBP"}, "amount"),
        ({"amount": "NaN", "currency": "GBP"}, "amount"),
        ({"amount": "Infinity", "currency": "GBP"}, "amount"),
        ({"amount": "ten", "currency": "GBP"}, "amount"),
        ({"amount": "", "currency": "GBP"}, "amount"),
        ({"currency": "GBP"}, "amount"),
        ({"amount": "10.00", "currency": "JPY"}, "currency"),
        ({"amount": "10.00", "currency": "XXX"}, "currency"),
        ({"amount": "10.00", "currency": "GB"}, "currency"),
        ({"amount": "10.00"}, "currency"),
        ({"amount": "10.00", "currency": "GBP", "recipient": 999999}, "recipient"),
        ({"amount": "10.00", "currency": "GBP", "message": "x" * 1001}, "message"),
    ],
)
def test_bad_amounts_and_currencies_are_400_and_create_nothing(gateway, body, field):
    response = give(client_for(UserFactory()), body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert Donation.objects.count() == 0
    assert gateway.intent_calls == []


def test_limits_and_currencies_come_from_settings(gateway, settings):
    settings.DONATION_MIN_AMOUNT = "5.00"
    settings.DONATION_MAX_AMOUNT = "50.00"
    settings.DONATION_CURRENCIES = ["NGN"]
    client = client_for(UserFactory())
    assert give(client, {"amount": "4.99", "currency": "NGN"}, key="a").status_code == 400
    assert give(client, {"amount": "50.01", "currency": "NGN"}, key="b").status_code == 400
    assert give(client, {"amount": "10.00", "currency": "GBP"}, key="c").status_code == 400
    assert give(client, {"amount": "50.00", "currency": "NGN"}, key="d").status_code == 201
    assert gateway.intent_calls[0].form["amount"] == "5000"


def test_nobody_donates_to_their_own_artist_profile(gateway):
    artist = ArtistFactory()
    response = give(
        client_for(artist.user), {"amount": "10.00", "currency": "GBP", "recipient": artist.pk}
    )
    assert response.status_code == 400
    assert "recipient" in response.json()["errors"]
    assert Donation.objects.count() == 0


def test_anonymous_callers_cannot_donate(gateway, api_client):
    response = give(api_client, {"amount": "10.00", "currency": "GBP"})
    assert response.status_code == 401
    assert Donation.objects.count() == 0
    assert gateway.intent_calls == []


def test_without_a_gateway_donations_are_503_not_configured(stripe_server):
    response = give(client_for(UserFactory()), {"amount": "10.00", "currency": "GBP"})
    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"
    assert Donation.objects.count() == 0
    assert stripe_server.calls == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "currency": "GBP"}, "amount"),
        ({"amount": "-5.00", "currency": "GBP"}, "amount"),
        ({"amount": "10.00", "currency": "XYZ"}, "currency"),
    ],
)
def test_without_a_gateway_bad_input_is_still_400(stripe_server, body, field):
    response = give(client_for(UserFactory()), body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Donation.objects.count() == 0
    assert stripe_server.calls == []


def test_a_gateway_refusal_is_stored_and_replayed(gateway):
    gateway.failures.append(
        (402, {"error": {"type": "card_error", "code": "amount_too_small", "message": "Too small"}})
    )
    client = client_for(UserFactory())
    first = give(client, {"amount": "10.00", "currency": "GBP"})
    assert first.status_code == 502
    assert first.json()["code"] == "payment_rejected"
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.FAILED
    second = give(client, {"amount": "10.00", "currency": "GBP"})
    assert (second.status_code, second.json()) == (502, first.json())
    assert len(gateway.intent_calls) == 1


def test_an_unreachable_gateway_is_503_and_the_same_key_retries_it(gateway):
    gateway.failures.append((500, {"error": {"type": "api_error", "message": "Down"}}))
    client = client_for(UserFactory())
    first = give(client, {"amount": "10.00", "currency": "GBP"})
    assert first.status_code == 503
    assert first.json()["code"] == "service_unavailable"
    donation = Donation.objects.get()
    assert donation.response_status is None
    assert donation.gateway_attempted_at is None
    second = give(client, {"amount": "10.00", "currency": "GBP"})
    assert second.status_code == 201
    assert Donation.objects.count() == 1
    # Both attempts used the same gateway idempotency key: no second PaymentIntent possible.
    assert [c.headers["Idempotency-Key"] for c in gateway.intent_calls] == [
        f"cnt-donation-{donation.pk}"
    ] * 2
    assert len(gateway.intents) == 1


def test_the_stored_response_is_encrypted_at_rest(gateway):
    response = give(client_for(UserFactory()), {"amount": "10.00", "currency": "GBP"})
    secret = response.json()["client_secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_body FROM donations")
        [(raw,)] = cursor.fetchall()
    assert secret not in raw
    assert "client_secret" not in raw


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_makes_one_row_and_one_gateway_call(gateway):
    gateway.delay = 0.5  # the loser arrives while the winner is still at the gateway
    donor = UserFactory()
    body = {"amount": "42.00", "currency": "EUR"}
    barrier = threading.Barrier(2)
    responses = []

    def submit():
        try:
            client = client_for(donor)
            barrier.wait()
            responses.append(give(client, body, key="double-tap"))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Donation.objects.count() == 1
    assert len(gateway.intent_calls) == 1
    assert sorted(r.has_header("Idempotent-Replayed") for r in responses) == [False, True]


# --- reads ---------------------------------------------------------------------------------


def test_donors_list_their_own_donations_newest_first(django_assert_max_num_queries):
    donor = UserFactory()
    artist = ArtistFactory()
    older = DonationFactory(donor=donor, recipient=artist)
    newer = DonationFactory(donor=donor, amount=Decimal("3.50"), status=DonationStatus.SUCCEEDED)
    for _ in range(3):
        DonationFactory(donor=donor, recipient=ArtistFactory())
    DonationFactory()  # someone else's
    client = client_for(donor)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5
    ids = [row["id"] for row in data["results"]]
    assert ids[-1] == older.pk
    row = next(r for r in data["results"] if r["id"] == newer.pk)
    assert row["amount"] == "3.50"
    assert row["status"] == "succeeded"
    assert row["recipient"] is None
    first = next(r for r in data["results"] if r["id"] == older.pk)
    assert first["recipient"] == {"id": artist.pk, "name": artist.name}


def test_a_donor_reads_one_donation_and_nobody_else_can():
    donation = DonationFactory()
    assert client_for(donation.donor).get(f"{URL}{donation.pk}").json()["id"] == donation.pk
    response = client_for(UserFactory()).get(f"{URL}{donation.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_recipients_see_completed_donations_and_not_anonymous_donors(
    django_assert_max_num_queries,
):
    artist = ArtistFactory()
    named = DonationFactory(recipient=artist, status=DonationStatus.SUCCEEDED, message="Amen")
    anonymous = DonationFactory(
        recipient=artist, status=DonationStatus.SUCCEEDED, is_anonymous=True
    )
    refunded = DonationFactory(recipient=artist, status=DonationStatus.REFUNDED)
    DonationFactory(recipient=artist, status=DonationStatus.PENDING)
    DonationFactory(recipient=artist, status=DonationStatus.FAILED)
    DonationFactory(recipient=ArtistFactory(), status=DonationStatus.SUCCEEDED)
    client = client_for(artist.user)
    with django_assert_max_num_queries(4):
        response = client.get(f"{URL}received")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {named.pk, anonymous.pk, refunded.pk}
    assert rows[named.pk]["donor"] == {
        "id": named.donor.pk,
        "display_name": named.donor.display_name,
    }
    assert rows[named.pk]["message"] == "Amen"
    assert rows[anonymous.pk]["donor"] is None
    assert rows[refunded.pk]["status"] == "refunded"


def test_a_user_without_an_artist_profile_received_nothing():
    DonationFactory(status=DonationStatus.SUCCEEDED, recipient=ArtistFactory())
    response = client_for(UserFactory()).get(f"{URL}received/")
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", [URL, f"{URL}received", f"{URL}1"])
def test_donation_reads_need_a_signed_in_user(api_client, path):
    assert api_client.get(path).status_code == 401
