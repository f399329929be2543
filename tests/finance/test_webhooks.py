"""POST /api/v1/donations/webhook: signature, tolerance, exactly-once and out-of-order events."""

import hashlib
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from cnt.notifications.models import Notification, NotificationType
from finance.models import Donation, DonationStatus, ProcessedWebhookEvent
from tests.factories import UserFactory
from tests.finance import fake_stripe
from tests.finance.factories import ArtistFactory, DonationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/donations/webhook"


def intent(donation, **overrides) -> dict:
    amount = int(donation.amount * 100)
    return {
        "id": donation.provider_reference,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": donation.currency.lower(),
        "status": "succeeded",
        "metadata": {"donation_id": str(donation.pk)},
        **overrides,
    }


def charge(donation, *, refunded_minor: int, full: bool) -> dict:
    return {
        "id": f"ch_{donation.pk}",
        "object": "charge",
        "amount": int(donation.amount * 100),
        "amount_refunded": refunded_minor,
        "refunded": full,
        "currency": donation.currency.lower(),
        "payment_intent": donation.provider_reference,
    }


def post(client, payload: dict | bytes, *, signature: str | None = None, timestamp=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if signature is None:
        signature = fake_stripe.sign(body, timestamp=timestamp)
    return client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def deliver(client, event_type, obj, *, event_id=None, capture=None):
    event = fake_stripe.event(event_type, obj, event_id=event_id)
    if capture is None:
        return post(client, event)
    with capture(execute=True):
        return post(client, event)


def test_succeeded_marks_the_donation_emails_a_receipt_and_tells_the_recipient(
    gateway, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    artist = ArtistFactory()
    donation = DonationFactory(recipient=artist, amount=Decimal("12.34"), message="For the choir")
    response = deliver(
        api_client,
        "payment_intent.succeeded",
        intent(donation),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "outcome": "succeeded"}
    donation.refresh_from_db()
    assert donation.status == DonationStatus.SUCCEEDED
    assert donation.completed_at is not None
    assert donation.receipt_sent_at is not None
    [email] = mailoutbox
    assert email.to == [donation.donor.email]
    assert email.subject == "Your donation receipt (12.34 GBP)"
    assert "12.34 GBP" in email.body
    assert artist.name in email.body
    assert donation.provider_reference in email.body
    assert "12.34 GBP" in email.alternatives[0][0]
    [note] = Notification.objects.all()
    assert note.recipient == artist.user
    assert note.type == NotificationType.DONATION
    assert note.title == "You received a donation of 12.34 GBP"
    assert note.actor == donation.donor
    assert note.data == {"donation_id": donation.pk}
    [record] = ProcessedWebhookEvent.objects.all()
    assert (record.event_type, record.outcome, record.donation_id) == (
        "payment_intent.succeeded",
        "succeeded",
        donation.pk,
    )


def test_an_anonymous_gift_does_not_name_its_donor(gateway, api_client):
    donation = DonationFactory(recipient=ArtistFactory(), is_anonymous=True)
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    assert Notification.objects.get().actor is None


def test_the_same_event_twice_is_applied_once(
    gateway, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    donation = DonationFactory(recipient=ArtistFactory())
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    with django_capture_on_commit_callbacks(execute=True):
        first = post(api_client, event)
    with django_capture_on_commit_callbacks(execute=True):
        second = post(api_client, event)
    assert first.json()["duplicate"] is False
    assert second.status_code == 200
    assert second.json() == {"received": True, "duplicate": True, "outcome": "duplicate"}
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1
    assert ProcessedWebhookEvent.objects.count() == 1


def test_a_replayed_event_with_a_fresh_signature_changes_nothing(gateway, api_client):
    donation = DonationFactory()
    event = fake_stripe.event("payment_intent.payment_failed", intent(donation))
    post(api_client, event)
    donation.refresh_from_db()
    donation.status = DonationStatus.PENDING  # as if something moved it back meanwhile
    donation.save()
    replay = post(api_client, event, timestamp=int(time.time()) + 1)
    assert replay.json()["duplicate"] is True
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        ("", "invalid_signature"),
        ("t=1,v1=deadbeef", "invalid_signature"),
        ("garbage", "invalid_signature"),
    ],
)
def test_bad_signatures_are_400_and_change_nothing(gateway, api_client, signature, code):
    donation = DonationFactory()
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    response = post(api_client, event, signature=signature)
    assert response.status_code == 400
    assert response.json()["code"] == code
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert ProcessedWebhookEvent.objects.count() == 0


def test_a_signature_with_another_secret_is_400(gateway, api_client):
    donation = DonationFactory()
    body = json.dumps(fake_stripe.event("payment_intent.succeeded", intent(donation))).encode()
    response = post(api_client, body, signature=fake_stripe.sign(body, secret="whsec_other"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_a_tampered_body_is_400(gateway, api_client):
    donation = DonationFactory()
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    body = json.dumps(event).encode()
    signature = fake_stripe.sign(body)
    tampered = body.replace(b'"succeeded"', b'"succeeded" ')
    response = post(api_client, tampered, signature=signature)
    assert response.status_code == 400
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_a_stale_timestamp_is_400_even_with_a_valid_signature(gateway, api_client):
    donation = DonationFactory()
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    response = post(api_client, event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert response.json()["code"] == "stale_signature"
    assert Donation.objects.get().status == DonationStatus.PENDING
    assert ProcessedWebhookEvent.objects.count() == 0


def test_the_tolerance_comes_from_settings(gateway, api_client, settings):
    settings.PAYMENT_GATEWAY_WEBHOOK_TOLERANCE = 1000
    donation = DonationFactory()
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    assert post(api_client, event, timestamp=int(time.time()) - 900).status_code == 200


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"id": "evt_1"}', b'{"data": []}'])
def test_a_signed_body_that_is_not_an_event_is_400(gateway, api_client, body):
    response = post(api_client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert ProcessedWebhookEvent.objects.count() == 0


def test_without_a_webhook_secret_the_webhook_is_503(api_client):
    donation = DonationFactory()
    response = post(api_client, fake_stripe.event("payment_intent.succeeded", intent(donation)))
    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_a_bearer_token_is_not_needed_and_a_bad_one_is_ignored(gateway, api_client):
    donation = DonationFactory()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = deliver(api_client, "payment_intent.succeeded", intent(donation))
    assert response.status_code == 200


# --- order of events -----------------------------------------------------------------------


def test_a_late_processing_event_does_not_undo_success(gateway, api_client):
    donation = DonationFactory()
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    response = deliver(
        api_client, "payment_intent.processing", intent(donation, status="processing")
    )
    assert response.json()["outcome"] == "no_change"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.SUCCEEDED


def test_a_late_failure_does_not_undo_success(gateway, api_client):
    donation = DonationFactory()
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    deliver(api_client, "payment_intent.payment_failed", intent(donation, status="failed"))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.SUCCEEDED
    assert donation.failure_reason == ""


def test_a_failed_attempt_then_success_ends_succeeded(gateway, api_client):
    donation = DonationFactory()
    failed = intent(
        donation,
        status="requires_payment_method",
        last_payment_error={"message": "Your card was declined."},
    )
    assert deliver(api_client, "payment_intent.payment_failed", failed).json()["outcome"] == (
        "failed"
    )
    donation.refresh_from_db()
    assert (donation.status, donation.failure_reason) == ("failed", "Your card was declined.")
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    donation.refresh_from_db()
    assert (donation.status, donation.failure_reason) == ("succeeded", "")


def test_a_full_refund_marks_the_donation_refunded(gateway, api_client):
    donation = DonationFactory(amount=Decimal("20.00"))
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    response = deliver(
        api_client, "charge.refunded", charge(donation, refunded_minor=2000, full=True)
    )
    assert response.json()["outcome"] == "refunded"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert donation.amount_refunded == Decimal("20.00")


def test_partial_refunds_keep_the_largest_refunded_amount(gateway, api_client):
    donation = DonationFactory(amount=Decimal("20.00"), status=DonationStatus.SUCCEEDED)
    deliver(api_client, "charge.refunded", charge(donation, refunded_minor=1500, full=False))
    deliver(api_client, "charge.refunded", charge(donation, refunded_minor=500, full=False))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.SUCCEEDED
    assert donation.amount_refunded == Decimal("15.00")


def test_a_refund_before_success_wins_over_the_late_success(gateway, api_client, mailoutbox):
    donation = DonationFactory(amount=Decimal("20.00"))
    deliver(api_client, "charge.refunded", charge(donation, refunded_minor=2000, full=True))
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert mailoutbox == []


def test_a_cancelled_intent_cancels_a_pending_donation(gateway, api_client):
    donation = DonationFactory()
    deliver(api_client, "payment_intent.canceled", intent(donation, status="canceled"))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.CANCELLED
    deliver(api_client, "payment_intent.succeeded", intent(donation))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.CANCELLED


def test_an_amount_that_does_not_match_is_not_applied(gateway, api_client):
    donation = DonationFactory(amount=Decimal("20.00"))
    response = deliver(api_client, "payment_intent.succeeded", intent(donation, amount_received=1))
    assert response.json()["outcome"] == "amount_mismatch"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_an_intent_is_matched_by_metadata_before_its_reference_is_stored(gateway, api_client):
    donation = DonationFactory(provider_reference="")
    obj = intent(donation, id="pi_early")
    deliver(api_client, "payment_intent.succeeded", obj)
    donation.refresh_from_db()
    assert (donation.status, donation.provider_reference) == ("succeeded", "pi_early")


@pytest.mark.parametrize(
    ("event_type", "obj", "outcome"),
    [
        ("customer.created", {"id": "cus_1", "object": "customer"}, "ignored"),
        ("payment_intent.succeeded", {"id": "pi_unknown", "amount": 100}, "unknown_donation"),
    ],
)
def test_unknown_events_are_acknowledged_and_recorded(
    gateway, api_client, event_type, obj, outcome
):
    response = deliver(api_client, event_type, obj)
    assert response.status_code == 200
    assert response.json()["outcome"] == outcome
    assert ProcessedWebhookEvent.objects.get().outcome == outcome


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_are_applied_once(gateway, mailoutbox):
    from rest_framework.test import APIClient

    donation = DonationFactory(recipient=ArtistFactory(), donor=UserFactory())
    event = fake_stripe.event("payment_intent.succeeded", intent(donation))
    body = json.dumps(event).encode()
    barrier = threading.Barrier(4)
    responses = []

    def deliver_once():
        try:
            client = APIClient()
            barrier.wait()
            responses.append(post(client, body))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.json()["duplicate"] for r in responses) == [False, True, True, True]
    assert ProcessedWebhookEvent.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1
    donation.refresh_from_db()
    assert donation.status == DonationStatus.SUCCEEDED


# --- signed but malformed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_received": "lots"}, "data.object.amount_received"),
        ({"amount_received": 1.5}, "data.object.amount_received"),
        ({"amount_received": True}, "data.object.amount_received"),
        ({"amount": 10**30}, "data.object.amount"),
        ({"id": "pi_" + "x" * 300}, "data.object.id"),
        ({"metadata": {"donation_id": "9" * 40}}, "data.object.metadata.donation_id"),
        ({"metadata": "not a map"}, "data.object.metadata"),
        ({"currency": "g\u0000bp"}, "data.object"),
        ({"last_payment_error": {"message": "bad\u0000"}}, "data.object"),
    ],
)
def test_a_signed_but_malformed_intent_is_400_recorded_as_rejected_and_applies_nothing(
    gateway, api_client, mailoutbox, overrides, field
):
    donation = DonationFactory(amount=Decimal("10.00"))
    event = fake_stripe.event(
        "payment_intent.succeeded", intent(donation, **overrides), event_id="evt_malformed"
    )

    response = post(api_client, event)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_payload"
    assert list(body["errors"]) == [field]
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert mailoutbox == []
    record = ProcessedWebhookEvent.objects.get()
    assert (record.event_id, record.outcome, record.donation) == (event["id"], "rejected", None)
    # a redelivery is refused the same way and recorded once
    assert post(api_client, event).status_code == 400
    assert ProcessedWebhookEvent.objects.count() == 1


@pytest.mark.parametrize("event_id", ["evt_" + "x" * 300, "evt_\u0000"])
def test_a_signed_event_with_an_unusable_id_is_recorded_by_its_body_hash(
    gateway, api_client, event_id
):
    donation = DonationFactory(amount=Decimal("10.00"))
    event = fake_stripe.event("payment_intent.succeeded", intent(donation), event_id=event_id)
    body = json.dumps(event).encode()

    response = post(api_client, body)

    assert response.status_code == 400
    message = "This field does not fit the gateway's event format."
    assert response.json()["errors"] == {"id": [message]}

    record = ProcessedWebhookEvent.objects.get()
    assert record.event_id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert record.outcome == "rejected"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_signed_refund_with_a_non_numeric_amount_is_400(gateway, api_client):
    donation = DonationFactory(
        amount=Decimal("10.00"), status=DonationStatus.SUCCEEDED, provider_reference="pi_r"
    )
    obj = {**charge(donation, refunded_minor=500, full=False), "amount_refunded": "500"}

    response = deliver(api_client, "charge.refunded", obj)

    assert response.status_code == 400
    donation.refresh_from_db()
    assert (donation.status, donation.amount_refunded) == (DonationStatus.SUCCEEDED, Decimal("0"))
    assert ProcessedWebhookEvent.objects.get().outcome == "rejected"


def test_a_signed_body_nested_past_the_recursion_limit_is_400(gateway, api_client):
    body = b'{"id": "evt_deep", "a": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    response = post(api_client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
