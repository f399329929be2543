"""Gateway webhooks, applied exactly once and in any order.

The event id is inserted into ProcessedWebhookEvent in the same transaction as the effect:
a duplicate delivery finds it and does nothing, and a concurrent one waits on the unique
index until the first commits (then finds it) or rolls back (then applies it itself).

Events arrive out of order, so each one moves a donation only along an allowed transition:
a late `processing` never undoes `succeeded`, a `payment_failed` after success is ignored, and
a refund wins over everything but cancellation.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create
from finance import gateway
from finance.models import Donation, DonationStatus, PaymentProvider, ProcessedWebhookEvent

logger = logging.getLogger("cnt.finance")

S = DonationStatus
# target status -> the statuses it may be reached from
TRANSITIONS = {
    S.SUCCEEDED: {S.PENDING, S.FAILED},
    S.FAILED: {S.PENDING},
    S.CANCELLED: {S.PENDING, S.FAILED},
    S.REFUNDED: {S.PENDING, S.FAILED, S.SUCCEEDED},
}


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    event_type: str
    duplicate: bool
    outcome: str
    donation_id: int | None = None


def _from_minor(amount, currency: str) -> Decimal:
    value = Decimal(int(amount or 0))
    if currency.upper() in gateway.ZERO_DECIMAL_CURRENCIES:
        return value
    return value / 100


def _locked_donation(intent_id, metadata) -> Donation | None:
    """The donation a PaymentIntent belongs to, row-locked. Found by its stored reference or,
    before the reference is stored, by the donation id the intent carries in its metadata."""
    donations = Donation.objects.select_for_update(of=("self",)).select_related("recipient")
    if isinstance(intent_id, str) and intent_id:
        donation = donations.filter(
            provider=PaymentProvider.STRIPE, provider_reference=intent_id
        ).first()
        if donation is not None:
            return donation
    donation_id = (metadata or {}).get("donation_id") if isinstance(metadata, dict) else None
    if isinstance(donation_id, str) and donation_id.isdigit():
        donation = donations.filter(pk=int(donation_id), provider_reference="").first()
        if donation is not None and intent_id:
            donation.provider_reference = intent_id
        return donation
    return None


def _move(donation: Donation, target: str, fields: list[str]) -> bool:
    if donation.status not in TRANSITIONS[target]:
        return False
    donation.status = target
    fields.append("status")
    return True


def _succeeded(donation: Donation, intent: dict) -> str:
    received = intent.get("amount_received") or intent.get("amount")
    expected = gateway.minor_units(donation.amount, donation.currency)
    if received != expected or str(intent.get("currency", "")).upper() != donation.currency:
        logger.error(
            "donation %s: gateway reports %s %s, expected %s %s",
            donation.pk,
            received,
            intent.get("currency"),
            expected,
            donation.currency,
        )
        return "amount_mismatch"
    fields = ["provider_reference"]
    if not _move(donation, S.SUCCEEDED, fields):
        return "no_change"
    donation.completed_at = timezone.now()
    donation.failure_reason = ""
    donation.save(update_fields=[*fields, "completed_at", "failure_reason", "updated_at"])
    _after_success(donation)
    return "succeeded"


def _after_success(donation: Donation) -> None:
    from finance.tasks import send_donation_receipt

    artist = donation.recipient
    if artist is not None and artist.user_id != donation.donor_id:
        notification_create(
            recipient=artist.user_id,
            type=NotificationType.DONATION,
            title=f"You received a donation of {donation.amount:.2f} {donation.currency}",
            message=donation.message,
            data={"donation_id": donation.pk},
            actor=None if donation.is_anonymous else donation.donor_id,
        )
    donation_id = donation.pk
    transaction.on_commit(lambda: send_donation_receipt.delay(donation_id))


def _failed(donation: Donation, intent: dict) -> str:
    fields = ["provider_reference"]
    if not _move(donation, S.FAILED, fields):
        return "no_change"
    error = intent.get("last_payment_error") or {}
    donation.failure_reason = str(error.get("message") or "The payment failed.")[:1000]
    donation.save(update_fields=[*fields, "failure_reason", "updated_at"])
    return "failed"


def _cancelled(donation: Donation, intent: dict) -> str:
    fields = ["provider_reference"]
    if not _move(donation, S.CANCELLED, fields):
        return "no_change"
    donation.save(update_fields=[*fields, "updated_at"])
    return "cancelled"


def _refunded(donation: Donation, charge: dict) -> str:
    refunded = _from_minor(charge.get("amount_refunded"), donation.currency)
    fields = ["provider_reference"]
    if refunded > donation.amount_refunded:  # partial refunds may arrive out of order too
        donation.amount_refunded = min(refunded, donation.amount)
        fields.append("amount_refunded")
    outcome = "partially_refunded" if "amount_refunded" in fields else "no_change"
    if charge.get("refunded") is True and _move(donation, S.REFUNDED, fields):
        outcome = "refunded"
    donation.save(update_fields=[*fields, "updated_at"])
    return outcome


INTENT_HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "payment_intent.canceled": _cancelled,
    # Informational only: a donation stays pending until succeeded or failed.
    "payment_intent.processing": lambda donation, intent: "no_change",
}


def _apply(event_type: str, obj: dict) -> tuple[Donation | None, str]:
    if event_type in INTENT_HANDLERS:
        donation = _locked_donation(obj.get("id"), obj.get("metadata"))
        if donation is None:
            return None, "unknown_donation"
        return donation, INTENT_HANDLERS[event_type](donation, obj)
    if event_type == "charge.refunded":
        donation = _locked_donation(obj.get("payment_intent"), obj.get("metadata"))
        if donation is None:
            return None, "unknown_donation"
        return donation, _refunded(donation, obj)
    return None, "ignored"


def webhook_event_apply(*, event: dict) -> WebhookResult:
    """Apply one verified gateway event exactly once (see the module docstring)."""
    event_id, event_type = event["id"], event["type"]
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProcessedWebhookEvent.objects.create(
                    provider=PaymentProvider.STRIPE, event_id=event_id, event_type=event_type
                )
        except IntegrityError:
            return WebhookResult(event_id, event_type, duplicate=True, outcome="duplicate")
        donation, outcome = _apply(event_type, event["data"]["object"])
        ProcessedWebhookEvent.objects.filter(pk=record.pk).update(
            donation=donation, outcome=outcome
        )
    return WebhookResult(
        event_id,
        event_type,
        duplicate=False,
        outcome=outcome,
        donation_id=getattr(donation, "pk", None),
    )
