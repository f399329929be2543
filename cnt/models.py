"""Abstract model pieces shared by the apps (cnt has no tables of its own)."""

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ModeratedContent(TimeStampedModel):
    """Content that is public only once a moderator approves it."""

    status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.PENDING
    )
    rejection_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == ModerationStatus.APPROVED
