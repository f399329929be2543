"""Background work of the support app (thin: load by id -> call a service)."""

from celery import shared_task


@shared_task(
    name="support.send_reply_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    acks_late=True,
)
def send_reply_email(reply_id: int) -> bool:
    # The service marks the reply emailed, so a redelivered task sends nothing twice.
    from support import services

    return services.reply_email_send(reply_id=reply_id)
