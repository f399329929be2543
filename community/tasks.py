"""Celery tasks of the community app."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string


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
        subject=title,
        message=render_to_string("emails/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        html_message=render_to_string("emails/notification.html", context),
    )
    return True


@shared_task(name="community.render_quote_image", bind=True, acks_late=True, max_retries=3)
def render_quote_image(self, post_id: int) -> str:
    """Give a quote post without an image a generated quote image (once)."""
    from community.services import post_attach_quote_image

    return post_attach_quote_image(post_id=post_id)
