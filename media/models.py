import uuid

from django.conf import settings
from django.db import models

from cnt.models import TimeStampedModel


class AssetKind(models.TextChoices):
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    DOCUMENT = "document", "Document"


class AssetStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MediaAsset(TimeStampedModel):
    """One uploaded original file. Content rows point here; derived files hang off it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_assets",
    )
    kind = models.CharField(max_length=16, choices=AssetKind.choices)
    status = models.CharField(
        max_length=16, choices=AssetStatus.choices, default=AssetStatus.UPLOADED
    )
    storage_key = models.CharField(max_length=512, unique=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "media_assets"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "kind", "-created_at"], name="media_owner_kind_idx")
        ]

    def __str__(self):
        return f"{self.kind}:{self.storage_key}"
