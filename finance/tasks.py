"""Background work of the finance app (thin: load by id -> call a service)."""

from celery import shared_task


@shared_task(
    name="finance.send_donation_receipt",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    acks_late=True,
)
def send_donation_receipt(donation_id: int) -> bool:
    # The service claims the row before sending, so a redelivered task sends nothing twice.
    from finance import services

    return services.donation_receipt_send(donation_id=donation_id)


@shared_task(name="finance.expire_abandoned_donations", acks_late=True)
def expire_abandoned_donations() -> int:
    """Hourly: cancel donations left unpaid past DONATION_PENDING_EXPIRY_HOURS."""
    from finance import services

    return services.donations_expire_abandoned()
