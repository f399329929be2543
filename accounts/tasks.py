"""Background work of the accounts app (thin: load by id -> call a service)."""

from celery import shared_task


@shared_task(
    name="accounts.send_otp_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    acks_late=True,
)
def send_otp_email(verification_id: int, code: str, language: str = "") -> bool:
    # Sending the same code twice is harmless, so a redelivered task may simply run again.
    from accounts import services

    return services.otp_email_send(verification_id=verification_id, code=code, language=language)
