"""Donations nobody paid are cancelled, with their PaymentIntent, through the real Stripe SDK
against the local fake server; paid ones and young ones are left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from finance.models import Donation, DonationStatus
from finance.tasks import expire_abandoned_donations
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def start_donation(key: str) -> Donation:
    response = client_for(UserFactory()).post(
        "/api/v1/donations/",
        {"amount": "10.00", "currency": "GBP"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.content
    return Donation.objects.get(pk=response.json()["id"])


def age(donation: Donation, hours: float) -> None:
    Donation.objects.filter(pk=donation.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def cancel_calls(fake) -> list[str]:
    return [call.path for call in fake.calls if call.path.endswith("/cancel")]


def intent_of(fake, donation: Donation) -> dict:
    return fake.intents[f"cnt-donation-{donation.pk}"]


def test_an_abandoned_donation_is_cancelled_with_its_payment_intent(gateway, settings):
    settings.DONATION_PENDING_EXPIRY_HOURS = 24
    abandoned, young = start_donation("a"), start_donation("b")
    age(abandoned, 25)
    age(young, 23)

    assert expire_abandoned_donations.delay().get() == 1

    abandoned.refresh_from_db()
    young.refresh_from_db()
    assert abandoned.status == DonationStatus.CANCELLED
    assert "24 hours" in abandoned.failure_reason
    assert intent_of(gateway, abandoned)["status"] == "canceled"
    assert cancel_calls(gateway) == [f"/v1/payment_intents/{abandoned.provider_reference}/cancel"]
    assert young.status == DonationStatus.PENDING
    assert intent_of(gateway, young)["status"] == "requires_payment_method"

    assert expire_abandoned_donations.delay().get() == 0  # a second run changes nothing
    assert len(cancel_calls(gateway)) == 1


def test_an_intent_paid_meanwhile_is_left_to_its_webhook(gateway):
    donation = start_donation("paid")
    age(donation, 48)
    intent_of(gateway, donation)["status"] = "succeeded"

    assert expire_abandoned_donations.delay().get() == 0

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert len(cancel_calls(gateway)) == 1


def test_an_unreachable_gateway_stops_the_run_and_changes_nothing(gateway):
    first, second = start_donation("one"), start_donation("two")
    age(first, 48)
    age(second, 47)
    gateway.failures.append((503, {"error": {"type": "api_error", "message": "down"}}))

    assert expire_abandoned_donations.delay().get() == 0

    assert set(Donation.objects.values_list("status", flat=True)) == {DonationStatus.PENDING}
    assert len(cancel_calls(gateway)) == 1  # stopped after the first failure

    assert expire_abandoned_donations.delay().get() == 2  # the next run finishes the job


def test_a_donation_whose_intent_was_never_created_is_cancelled_locally(gateway):
    donation = start_donation("local")
    Donation.objects.filter(pk=donation.pk).update(provider_reference="")
    age(donation, 30)

    assert expire_abandoned_donations.delay().get() == 1

    donation.refresh_from_db()
    assert donation.status == DonationStatus.CANCELLED
    assert cancel_calls(gateway) == []
