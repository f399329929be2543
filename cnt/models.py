"""Abstract model pieces shared by the apps (cnt has no tables of its own)."""

from django.conf import settings
from django.core.validators import RegexValidator
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


CONTENT_LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
validate_content_language = RegexValidator(
    CONTENT_LANGUAGE_PATTERN, "Give a language code of two or three lower-case letters (fr)."
)


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
    # What the item is spoken or written in (ISO 639 code, "fr"); blank when not said.
    # Search and recommendations filter on it.
    language = models.CharField(
        max_length=3, blank=True, validators=[validate_content_language], db_index=True
    )

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == ModerationStatus.APPROVED
