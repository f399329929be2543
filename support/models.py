from django.conf import settings
from django.db import models

from cnt.models import TimeStampedModel


class SupportStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class SupportMessage(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_messages",
    )
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=16, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    admin_response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "support_messages"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="support_messages_status_idx"),
            models.Index(fields=["user", "-created_at"], name="support_messages_user_idx"),
        ]

    def __str__(self):
        return self.subject
