"""Writes of the finance app, one module per sub-domain; import them from here."""

from finance.services.bank_details import (
    bank_details_delete,
    bank_details_set,
    bank_details_set_verified,
)
from finance.services.donations import (
    DonationResponse,
    donation_receipt_send,
    donation_request_hash,
    donation_submit,
)
from finance.services.expiry import donations_expire_abandoned
from finance.services.keys import RotationReport, encryption_keys_rotate
from finance.services.payment_accounts import (
    payment_account_create,
    payment_account_delete,
    payment_account_set_default,
    payment_account_set_status,
)
from finance.services.webhooks import WebhookResult, webhook_event_apply

__all__ = [
    "DonationResponse",
    "RotationReport",
    "WebhookResult",
    "bank_details_delete",
    "bank_details_set",
    "bank_details_set_verified",
    "donation_receipt_send",
    "donations_expire_abandoned",
    "donation_request_hash",
    "donation_submit",
    "encryption_keys_rotate",
    "payment_account_create",
    "payment_account_delete",
    "payment_account_set_default",
    "payment_account_set_status",
    "webhook_event_apply",
]
