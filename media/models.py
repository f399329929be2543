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


class AssetPurpose(models.TextChoices):
    """Where an original lives in the storage layout (see media/layout.py)."""

    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    BIBLE_STORY = "bible_story", "Animated Bible story"
    QUOTE = "quote", "Quote image"
    THUMBNAIL = "thumbnail", "Thumbnail"
    MOVIE_POSTER = "movie_poster", "Movie poster"
    PROFILE = "profile", "Profile image"
    DOCUMENT = "document", "Document"


class MediaAsset(TimeStampedModel):
    """One uploaded original file. Content rows point here; derived files hang off it.

    The original at `storage_key` is never modified. Derived files live under
    `output_prefix`, which is switched in one update when a processing run publishes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_assets",
    )
    kind = models.CharField(max_length=16, choices=AssetKind.choices)
    purpose = models.CharField(max_length=16, choices=AssetPurpose.choices, blank=True)
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
    processing_log = models.TextField(
        blank=True, help_text="FFmpeg's own words on the last failure (staff only, not in the API)."
    )
    output_prefix = models.CharField(max_length=512, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the processing run."
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "media_assets"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "kind", "-created_at"], name="media_owner_kind_idx"),
            models.Index(fields=["owner", "-created_at"], name="media_owner_idx"),
            models.Index(fields=["status"], name="media_status_idx"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.storage_key}"


class RenditionKind(models.TextChoices):
    HLS_VIDEO = "hls_video", "HLS video"
    HLS_AUDIO = "hls_audio", "HLS audio"
    POSTER = "poster", "Poster"
    THUMBNAIL = "thumbnail", "Thumbnail"
    WAVEFORM = "waveform", "Waveform"


class RenditionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Rendition(TimeStampedModel):
    """One declared output of an asset (a profile from media/profiles.py)."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=RenditionKind.choices)
    status = models.CharField(
        max_length=16, choices=RenditionStatus.choices, default=RenditionStatus.PENDING
    )
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    path = models.CharField(
        max_length=255, blank=True, help_text="Relative to the asset's output prefix."
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="bits per second")
    size_bytes = models.BigIntegerField(default=0)

    class Meta:
        db_table = "media_renditions"
        ordering = ["asset", "kind", "-height", "-bitrate"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="media_renditions_unique")
        ]

    def __str__(self):
        return f"{self.asset_id}:{self.name}"


class TusUpload(models.Model):
    """A resumable upload in progress (tus 1.0); becomes a MediaAsset when complete."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tus_uploads"
    )
    upload_length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    asset = models.OneToOneField(
        MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="tus_upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_tus_uploads"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="media_tus_expiry_idx")]

    def __str__(self):
        return f"tus {self.id} {self.offset}/{self.upload_length}"


class DirectUploadStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    ABORTED = "aborted", "Aborted"


class DirectUpload(models.Model):
    """A presigned S3 multipart upload; validated after completion before it becomes an asset."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="direct_uploads"
    )
    purpose = models.CharField(max_length=16, choices=AssetPurpose.choices)
    filename = models.CharField(max_length=255, blank=True)
    staging_key = models.CharField(max_length=512, unique=True)
    s3_upload_id = models.CharField(max_length=1024)
    size_bytes = models.BigIntegerField()
    status = models.CharField(
        max_length=16, choices=DirectUploadStatus.choices, default=DirectUploadStatus.OPEN
    )
    expires_at = models.DateTimeField()
    asset = models.OneToOneField(
        MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_direct_uploads"
        ordering = ["-created_at"]

    def __str__(self):
        return f"direct {self.id} ({self.status})"


class EditJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class EditJob(TimeStampedModel):
    """An audio or video edit: operations applied to source assets, producing a new asset.

    Sources are never modified; the result goes through the normal pipeline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="edit_jobs"
    )
    kind = models.CharField(max_length=16, choices=[("audio", "Audio"), ("video", "Video")])
    sources = models.JSONField(default=list, help_text="Asset ids, in order.")
    operations = models.JSONField(default=list)
    output_format = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=16, choices=EditJobStatus.choices, default=EditJobStatus.QUEUED
    )
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    error_log = models.TextField(
        blank=True, help_text="FFmpeg's own words on the last failure (staff only, not in the API)."
    )
    result = models.ForeignKey(
        MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "media_edit_jobs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="media_edit_owner_idx")]

    def __str__(self):
        return f"{self.kind} edit {self.id} ({self.status})"
