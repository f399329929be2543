"""The payment gateway (Stripe, through its official SDK). The only module that imports stripe.

Configured by PAYMENT_GATEWAY_SECRET_KEY (no key: donations answer 503 not_configured),
PAYMENT_GATEWAY_WEBHOOK_SECRET (webhook signatures) and PAYMENT_GATEWAY_API_BASE (another
API host, e.g. the tests' local fake server). Errors are sorted into transient
(GatewayUnavailable: safe to retry with the same idempotency key) and terminal
(GatewayRejected: the gateway refused the request).
"""

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings

from cnt.errors import InvalidInput

logger = logging.getLogger("cnt.finance")

DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2
# ISO 4217 currencies Stripe takes in whole units (no minor unit).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
     "XAF", "XOF", "XPF"}
)  # fmt: skip


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed on its side; retrying may succeed."""


class GatewayRejected(Exception):
    """The gateway refused the request; retrying the same request will not help."""


class WebhookInvalid(InvalidInput):
    """A webhook whose signature, timestamp or body does not verify (a 400, as Stripe
    expects)."""


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    client_secret: str
    status: str


def is_configured() -> bool:
    return bool(settings.PAYMENT_GATEWAY_SECRET_KEY)


def webhooks_configured() -> bool:
    return bool(settings.PAYMENT_GATEWAY_WEBHOOK_SECRET)


def minor_units(amount: Decimal, currency: str) -> int:
    """The integer amount the gateway expects: pence, cents, kobo (or whole yen)."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount)
    return int((amount * 100).to_integral_value())


def _client() -> stripe.StripeClient:
    base = settings.PAYMENT_GATEWAY_API_BASE
    return stripe.StripeClient(
        settings.PAYMENT_GATEWAY_SECRET_KEY,
        base_addresses={"api": base.rstrip("/")} if base else None,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
    )


def payment_intent_create(
    *,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
    description: str = "",
) -> PaymentIntent:
    """Create a PaymentIntent the app confirms with its client secret.

    `idempotency_key` goes to the gateway too, so a retried or taken-over call returns the
    same PaymentIntent instead of making a second one.
    """
    params = {
        "amount": minor_units(amount, currency),
        "currency": currency.lower(),
        "automatic_payment_methods": {"enabled": True},
        "metadata": metadata,
    }
    if description:
        params["description"] = description
    try:
        intent = _client().v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        raise _translated(exc)  # 409 included: a concurrent request with the same key
    return PaymentIntent(id=intent.id, client_secret=intent.client_secret, status=intent.status)


def _translated(exc: stripe.StripeError) -> Exception:
    """GatewayUnavailable (try again later) or GatewayRejected (the gateway said no)."""
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return GatewayUnavailable(str(exc))
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        logger.error("payment gateway refused our credentials: %s", exc)
        return GatewayUnavailable("The payment gateway rejected this server's credentials.")
    if exc.http_status is None or exc.http_status >= 500 or exc.http_status == 409:
        return GatewayUnavailable(str(exc))
    return GatewayRejected(getattr(exc, "user_message", None) or str(exc))


def payment_intent_cancel(*, intent_id: str) -> str:
    """Cancel a PaymentIntent nobody paid; returns its status (`canceled`). An intent that
    was paid or is being paid meanwhile cannot be cancelled: GatewayRejected."""
    try:
        intent = _client().v1.payment_intents.cancel(
            intent_id, params={"cancellation_reason": "abandoned"}
        )
    except stripe.StripeError as exc:
        raise _translated(exc)
    return intent.status


def webhook_event_parse(*, payload: bytes, signature: str) -> dict:
    """Verify a webhook's signature over the raw body and its timestamp; return the event as
    plain JSON data (`id`, `type`, `data.object`).

    Raises WebhookInvalid (code `invalid_signature`, `stale_signature` or `invalid_payload`).
    """
    tolerance = getattr(
        settings, "PAYMENT_GATEWAY_WEBHOOK_TOLERANCE", DEFAULT_WEBHOOK_TOLERANCE_SECONDS
    )
    try:
        stripe.Webhook.construct_event(
            payload, signature, settings.PAYMENT_GATEWAY_WEBHOOK_SECRET, tolerance=tolerance
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        if "outside the tolerance zone" in str(exc):
            raise WebhookInvalid("The signature timestamp is too old.", "stale_signature")
        raise WebhookInvalid("The webhook signature does not verify.", "invalid_signature")
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        raise WebhookInvalid("The webhook body is not a JSON event.", "invalid_payload")
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("object"), dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
    ):
        raise WebhookInvalid("The webhook body is not an event.", "invalid_payload")
    return event
