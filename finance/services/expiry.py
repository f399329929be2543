"""Donations nobody paid: a donation stays `pending` until the app confirms its
PaymentIntent and the gateway's webhook settles it. One left pending for
DONATION_PENDING_EXPIRY_HOURS was abandoned; its PaymentIntent is cancelled at the gateway
(so it can no longer be paid) and the donation becomes `cancelled`.

An intent the gateway will not cancel (paid or being paid meanwhile) is left alone: its
webhook settles the donation. When the gateway is unreachable the run stops and the next
one (hourly, Celery beat) tries again; every step re-reads the row, so runs may overlap.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from finance import gateway
from finance.models import Donation, DonationStatus

logger = logging.getLogger("cnt.finance")

BATCH = 200


def _cancel_locally(donation_id: int, hours: int) -> bool:
    with transaction.atomic():
        donation = (
            Donation.objects.select_for_update()
            .filter(pk=donation_id, status=DonationStatus.PENDING)
            .first()
        )
        if donation is None:
            return False  # settled meanwhile
        donation.status = DonationStatus.CANCELLED
        donation.failure_reason = f"Not paid within {hours} hours."
        donation.save(update_fields=["status", "failure_reason", "updated_at"])
    return True


def donations_expire_abandoned() -> int:
    """Cancel up to BATCH abandoned donations, oldest first; returns how many."""
    hours = settings.DONATION_PENDING_EXPIRY_HOURS
    cutoff = timezone.now() - timedelta(hours=hours)
    candidates = list(
        Donation.objects.filter(status=DonationStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", "provider_reference")[:BATCH]
    )
    cancelled = 0
    for donation_id, intent_id in candidates:
        if intent_id:
            try:
                gateway.payment_intent_cancel(intent_id=intent_id)
            except gateway.GatewayRejected as exc:
                logger.info("donation %s: intent %s not cancelled: %s", donation_id, intent_id, exc)
                continue
            except gateway.GatewayUnavailable as exc:
                logger.warning("abandoned donations: gateway unavailable, stopping: %s", exc)
                break
        cancelled += _cancel_locally(donation_id, hours)
    return cancelled
