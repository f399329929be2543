"""Donations: check, insert first, call the gateway once, store the response and replay it.

The flow that makes a double submit safe:
1. the row is inserted (in its own short transaction) under the unique
   (donor, idempotency_key) constraint, with a claim on the gateway call;
2. the winner calls the gateway outside any transaction, with an idempotency key of its own
   (`cnt-donation-<id>`), and stores the status code and body it answers;
3. a loser of the race finds the row, waits for the stored response and answers it; if the
   winner died (its claim went stale, or the gateway was unreachable), the next request with
   the key takes the claim over, and the gateway's idempotency returns the same PaymentIntent.

The donation becomes `succeeded` only from a verified webhook (finance/services/webhooks.py).
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cnt.api.shape import error_body
from cnt.errors import (
    Conflict,
    InvalidInput,
    NotConfigured,
    ServiceUnavailable,
    Unprocessable,
)
from finance import gateway, policies
from finance.models import Donation, DonationStatus, PaymentProvider

logger = logging.getLogger("cnt.finance")

DEFAULT_MIN_AMOUNT = Decimal("1.00")
DEFAULT_MAX_AMOUNT = Decimal("10000.00")
DEFAULT_CURRENCIES = ("GBP", "USD", "EUR", "NGN")

# How long a second request with the same key waits for the first one's response.
IDEMPOTENCY_WAIT_SECONDS = 15.0
IDEMPOTENCY_POLL_SECONDS = 0.05
# A claim older than the longest gateway call (timeout x attempts) belongs to a dead request.
CLAIM_STALE_AFTER = timedelta(
    seconds=gateway.REQUEST_TIMEOUT_SECONDS * (gateway.NETWORK_RETRIES + 1) + 30
)
MINISTRY_NAME = "CNT Media ministry"


class IdempotencyKeyReused(Unprocessable):
    default_detail = _("This Idempotency-Key was used with a different request body.")
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class DonationResponse:
    """What the API answers: the same for every request with the same key."""

    donation_id: int
    status_code: int
    body: dict
    replayed: bool


# --- rules ---------------------------------------------------------------------------------


def donation_limits() -> tuple[Decimal, Decimal, tuple[str, ...]]:
    """(minimum, maximum, accepted currencies) from settings."""
    minimum = Decimal(str(getattr(settings, "DONATION_MIN_AMOUNT", DEFAULT_MIN_AMOUNT)))
    maximum = Decimal(str(getattr(settings, "DONATION_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))
    currencies = getattr(settings, "DONATION_CURRENCIES", None) or DEFAULT_CURRENCIES
    return minimum, maximum, tuple(c.strip().upper() for c in currencies if c.strip())


def _check(*, donor, amount: Decimal, currency: str, recipient) -> None:
    minimum, maximum, currencies = donation_limits()
    errors: dict[str, list[str]] = {}
    if currency not in currencies:
        errors["currency"] = [f"Donations are accepted in {', '.join(currencies)}."]
    if not amount.is_finite() or amount < minimum:
        errors["amount"] = [f"The smallest donation is {minimum:.2f}."]
    elif amount > maximum:
        errors["amount"] = [f"The largest donation is {maximum:.2f}."]
    elif amount.as_tuple().exponent < -2:
        errors["amount"] = ["Use at most 2 decimal places."]
    elif currency in gateway.ZERO_DECIMAL_CURRENCIES and amount != amount.to_integral_value():
        errors["amount"] = [f"{currency} amounts are whole numbers."]
    if not policies.can_donate_to(donor, recipient):
        errors["recipient"] = ["You cannot donate to your own artist profile."]
    if errors:
        raise InvalidInput(errors=errors)


def donation_request_hash(
    *, amount: Decimal, currency: str, recipient_id, message: str, is_anonymous: bool
) -> str:
    """A fingerprint of the validated request: what "the same body" means for a key."""
    canonical = json.dumps(
        {
            "amount": f"{amount:.2f}",
            "currency": currency,
            "recipient": recipient_id,
            "message": message,
            "is_anonymous": bool(is_anonymous),
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- submit --------------------------------------------------------------------------------


def donation_submit(
    *,
    donor,
    idempotency_key: str,
    amount: Decimal,
    currency: str,
    recipient=None,
    message: str = "",
    is_anonymous: bool = False,
) -> DonationResponse:
    """Start a donation: one row and one PaymentIntent per (donor, idempotency key).

    Raises ValidationError (400) for a bad amount, currency or recipient (nothing stored;
    checked before anything else), NotConfigured (503) without a gateway,
    IdempotencyKeyReused (422) for a known key with a different body, ServiceUnavailable
    (503) when the gateway cannot be reached (retry with the same key), and Conflict (409)
    when the first request with the key is still running.
    """
    currency = currency.upper()
    # The input first: a bad amount is the sender's mistake whatever this server's setup.
    _check(donor=donor, amount=amount, currency=currency, recipient=recipient)
    if not gateway.is_configured():
        raise NotConfigured("Donations are unavailable: the payment gateway is not configured.")
    request_hash = donation_request_hash(
        amount=amount,
        currency=currency,
        recipient_id=getattr(recipient, "pk", None),
        message=message,
        is_anonymous=is_anonymous,
    )
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                donor=donor,
                recipient=recipient,
                amount=amount,
                currency=currency,
                provider=PaymentProvider.STRIPE,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                message=message,
                is_anonymous=is_anonymous,
                gateway_attempted_at=timezone.now(),
            )
    except IntegrityError:
        existing = (
            Donation.objects.filter(donor=donor, idempotency_key=idempotency_key)
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:
            raise
        return _await_or_take_over(existing, request_hash)
    return _charge(donation)


def _stored(donation: Donation) -> DonationResponse:
    return DonationResponse(
        donation_id=donation.pk,
        status_code=donation.response_status,
        body=json.loads(donation.response_body),
        replayed=True,
    )


def _claim(donation_id: int) -> bool:
    """Take over the gateway call of a row nobody is working on (or whose worker died)."""
    now = timezone.now()
    return bool(
        Donation.objects.filter(pk=donation_id, response_status__isnull=True)
        .filter(
            Q(gateway_attempted_at__isnull=True)
            | Q(gateway_attempted_at__lt=now - CLAIM_STALE_AFTER)
        )
        .update(gateway_attempted_at=now)
    )


def _await_or_take_over(donation_id: int, request_hash: str) -> DonationResponse:
    deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
    while True:
        donation = Donation.objects.get(pk=donation_id)
        if donation.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if donation.response_status is not None:
            return _stored(donation)
        if _claim(donation_id):
            return _charge(donation)
        if time.monotonic() >= deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code="idempotency_in_progress",
            )
        time.sleep(IDEMPOTENCY_POLL_SECONDS)


def _created_body(donation: Donation, intent: gateway.PaymentIntent) -> dict:
    return {
        "id": donation.pk,
        "status": DonationStatus.PENDING.value,
        "amount": f"{donation.amount:.2f}",
        "currency": donation.currency,
        "recipient": donation.recipient_id,
        "message": donation.message,
        "is_anonymous": donation.is_anonymous,
        "payment_intent_id": intent.id,
        "client_secret": intent.client_secret,
        "created_at": _iso_datetime(donation.created_at),
    }


def _iso_datetime(value) -> str:
    """As the API renders datetimes: ISO 8601 in the current time zone, UTC as "Z"."""
    text = timezone.localtime(value).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _charge(donation: Donation) -> DonationResponse:
    """Call the gateway for a claimed row and store what we answer."""
    try:
        intent = gateway.payment_intent_create(
            amount=donation.amount,
            currency=donation.currency,
            idempotency_key=f"cnt-donation-{donation.pk}",
            metadata={
                "donation_id": str(donation.pk),
                "donor_id": str(donation.donor_id or ""),
                "recipient_id": str(donation.recipient_id or ""),
            },
            description=f"Donation #{donation.pk} to "
            + (donation.recipient.name if donation.recipient_id else MINISTRY_NAME),
        )
    except gateway.GatewayUnavailable as exc:
        logger.warning("donation %s: gateway unavailable: %s", donation.pk, exc)
        Donation.objects.filter(pk=donation.pk, response_status__isnull=True).update(
            gateway_attempted_at=None
        )
        raise ServiceUnavailable(
            "The payment gateway is unavailable; retry with the same Idempotency-Key."
        )
    except gateway.GatewayRejected as exc:
        body = error_body(f"The payment gateway refused the donation: {exc}", "payment_rejected")
        return _store(
            donation,
            HTTPStatus.BAD_GATEWAY,
            body,
            status=DonationStatus.FAILED,
            failure_reason=str(exc)[:1000],
        )
    return _store(
        donation,
        HTTPStatus.CREATED,
        _created_body(donation, intent),
        provider_reference=intent.id,
    )


def _store(donation: Donation, status_code: int, body: dict, **fields) -> DonationResponse:
    stored = Donation.objects.filter(pk=donation.pk, response_status__isnull=True).update(
        response_status=status_code,
        response_body=json.dumps(body),
        updated_at=timezone.now(),
        **fields,
    )
    if not stored:  # another request with the key stored first: answer what it answered
        return _stored(Donation.objects.get(pk=donation.pk))
    return DonationResponse(
        donation_id=donation.pk, status_code=status_code, body=body, replayed=False
    )


# --- receipts ------------------------------------------------------------------------------


def donation_receipt_send(*, donation_id: int) -> bool:
    """Email the donor a receipt for a succeeded donation, once.

    The row is claimed before sending and released if sending fails, so a retried task
    sends it then and a redelivered one after success sends nothing.
    """
    now = timezone.now()
    claimed = Donation.objects.filter(
        pk=donation_id, status=DonationStatus.SUCCEEDED, receipt_sent_at__isnull=True
    ).update(receipt_sent_at=now)
    if not claimed:
        return False
    donation = Donation.objects.select_related("donor", "recipient").get(pk=donation_id)
    donor = donation.donor
    if donor is None or not donor.email:
        return False
    context = {
        "name": donor.display_name or donor.username,
        "amount": f"{donation.amount:.2f}",
        "currency": donation.currency,
        "recipient": donation.recipient.name if donation.recipient else MINISTRY_NAME,
        "reference": donation.provider_reference,
        "donation_id": donation.pk,
        "date": donation.completed_at or donation.created_at,
        "message": donation.message,
    }
    email = EmailMultiAlternatives(
        subject=f"Your donation receipt ({context['amount']} {donation.currency})",
        body=render_to_string("emails/donation_receipt.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[donor.email],
    )
    email.attach_alternative(render_to_string("emails/donation_receipt.html", context), "text/html")
    try:
        email.send()
    except Exception:
        Donation.objects.filter(pk=donation_id, receipt_sent_at=now).update(receipt_sent_at=None)
        raise
    return True
