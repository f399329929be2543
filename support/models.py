from django.conf import settings
from django.db import models

from cnt.models import TimeStampedModel
from cnt.validators import validate_single_line


class SupportStatus(models.TextChoices):
    """open -> answered (staff replied) -> closed; a reply from the user reopens it."""

    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class SupportCategory(models.TextChoices):
    GENERAL = "general", "General"
    ACCOUNT = "account", "Account"
    BILLING = "billing", "Billing and donations"
    TECHNICAL = "technical", "Technical problem"
    CONTENT = "content", "Content"


class SupportMessage(TimeStampedModel):
    """A support ticket: the user's first message; the thread continues in SupportReply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_messages",
    )
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150, blank=True)
    category = models.CharField(
        max_length=16, choices=SupportCategory.choices, default=SupportCategory.GENERAL
    )
    subject = models.CharField(max_length=200, validators=[validate_single_line])
    message = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=16, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    admin_response = models.TextField(blank=True, help_text="The latest staff reply.")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "support_messages"
        verbose_name = "support ticket"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="support_messages_status_idx"),
            models.Index(fields=["user", "-created_at"], name="support_messages_user_idx"),
        ]

    def __str__(self):
        return self.subject


class SupportReply(models.Model):
    """One message of a ticket's thread after the first, from the user or from staff."""

    ticket = models.ForeignKey(SupportMessage, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_staff_reply = models.BooleanField(default=False)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the user was emailed this staff reply."
    )

    class Meta:
        db_table = "support_replies"
        verbose_name_plural = "support replies"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="support_replies_ticket_idx")]

    def __str__(self):
        return f"reply to #{self.ticket_id}"
