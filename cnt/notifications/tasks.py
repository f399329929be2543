"""Celery tasks of the notification service."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from cnt.i18n import language_for
from cnt.notifications.push import notifications_push, notifications_push_retry, retry_delay
from cnt.text import single_line

logger = logging.getLogger(__name__)


# The name predates the move out of the community app; queued messages still carry it.
@shared_task(
    name="community.send_notification_email",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(self, user_id: int, title: str, message: str) -> bool:
    """Email a notification to a user who asked for email delivery of its type."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {"user": user, "title": title, "message": message}
    # The title and message were written in the user's language when stored; the frame too.
    with translation.override(language_for(user)):
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    send_mail(
        subject=single_line(title)[:200],
        message=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        html_message=html,
    )
    return True


@shared_task(name="notifications.push", bind=True, acks_late=True, max_retries=6)
def push_notifications(self, notification_ids: list[int], retry_pairs=None) -> dict:
    """Push stored notifications to their recipients' phones (see cnt/notifications/push.py);
    a transient failure retries only the pairs that failed, with backoff."""
    if retry_pairs:
        run = notifications_push_retry(pairs=retry_pairs)
    else:
        run = notifications_push(notification_ids=notification_ids)
    if run.retry:
        if self.request.retries >= self.max_retries:
            logger.warning(
                "giving up on %d pushes after %d tries", len(run.retry), self.max_retries + 1
            )
        else:
            raise self.retry(
                args=[[]],
                kwargs={"retry_pairs": run.retry},
                countdown=retry_delay(self.request.retries, run.retry_after),
            )
    return {"sent": run.sent, "unregistered": run.unregistered, "failed": run.failed}
