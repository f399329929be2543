"""Gateway webhooks, applied exactly once and in any order.

The event id is inserted into ProcessedWebhookEvent in the same transaction as the effect:
a duplicate delivery finds it and does nothing, and a concurrent one waits on the unique
index until the first commits (then finds it) or rolls back (then applies it itself).

Events arrive out of order, so each one moves a donation only along an allowed transition:
a late `processing` never undoes `succeeded`, a `payment_failed` after success is ignored, and
a refund wins over everything but cancellation.

A verified event whose fields do not fit (a non-numeric amount, an over-long id, NUL in a
string) is recorded with outcome `rejected` and answered 400 `invalid_payload`: it is the
sender's bug, retrying cannot fix it, and nothing of it is applied.
"""

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create
from cnt.text import contains_nul, single_line
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


REJECTED = "rejected"
_EVENT_ID_MAX = ProcessedWebhookEvent._meta.get_field("event_id").max_length
_EVENT_TYPE_MAX = ProcessedWebhookEvent._meta.get_field("event_type").max_length
_REFERENCE_MAX = Donation._meta.get_field("provider_reference").max_length
_AMOUNT_MAX = 10**15  # minor units; far above any donation limit
_AMOUNT_FIELDS = ("amount", "amount_received", "amount_refunded")


def _is_text(value, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value


def webhook_event_problem(event: dict) -> str | None:
    """The field that makes a verified event unusable ("data.object.amount"), or None."""
    if not _is_text(event["id"], _EVENT_ID_MAX):
        return "id"
    if not _is_text(event["type"], _EVENT_TYPE_MAX):
        return "type"
    obj = event["data"]["object"]
    if contains_nul(obj):
        return "data.object"
    for name in ("id", "payment_intent"):
        value = obj.get(name)
        if value is not None and value != "" and not _is_text(value, _REFERENCE_MAX):
            return f"data.object.{name}"
    for name in _AMOUNT_FIELDS:
        value = obj.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _AMOUNT_MAX
        ):
            return f"data.object.{name}"
    currency = obj.get("currency")
    if currency is not None and not _is_text(currency, 8):
        return "data.object.currency"
    if obj.get("refunded") is not None and not isinstance(obj.get("refunded"), bool):
        return "data.object.refunded"
    metadata = obj.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            return "data.object.metadata"
        donation_id = metadata.get("donation_id")
        if donation_id is not None and not (
            isinstance(donation_id, str) and donation_id.isdigit() and len(donation_id) <= 18
        ):
            return "data.object.metadata.donation_id"
    error = obj.get("last_payment_error")
    if error is not None and not isinstance(error, dict):
        return "data.object.last_payment_error"
    return None


def _record_rejected(event: dict, payload: bytes) -> None:
    event_id = event["id"]
    if not _is_text(event_id, _EVENT_ID_MAX):
        event_id = "sha256:" + hashlib.sha256(payload).hexdigest()
    event_type = single_line(str(event["type"]).replace("\x00", ""))[:_EVENT_TYPE_MAX]
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(
                provider=PaymentProvider.STRIPE,
                event_id=event_id,
                event_type=event_type,
                outcome=REJECTED,
            )
    except IntegrityError:
        pass  # the same malformed event, delivered again


def webhook_event_apply(*, event: dict, payload: bytes = b"") -> WebhookResult:
    """Apply one verified gateway event exactly once (see the module docstring).

    Raises WebhookInvalid (400 `invalid_payload`) for an event whose fields do not fit,
    after recording it as rejected."""
    problem = webhook_event_problem(event)
    if problem is not None:
        _record_rejected(event, payload)
        logger.warning("rejected a malformed gateway event (%s)", problem)
        raise gateway.WebhookInvalid(
            f"The webhook event is malformed: {problem}.",
            "invalid_payload",
            errors={problem: ["This field does not fit the gateway's event format."]},
        )
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
