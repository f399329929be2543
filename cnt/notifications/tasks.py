"""Celery tasks of the notification service."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from cnt.text import single_line


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
    send_mail(
        subject=single_line(title)[:200],
        message=render_to_string("emails/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        html_message=render_to_string("emails/notification.html", context),
    )
    return True
