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
    images = models.JSONField(
        default=dict,
        blank=True,
        help_text="Responsive renditions by role (`image` of an image asset, `poster` of a "
        "video), as media/images.py describes them; read by the API without a query.",
    )
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
    DOWNLOAD = "download", "Download (progressive MP4/M4A)"


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
    duration_seconds = models.FloatField(
        null=True, blank=True, help_text="Of the file itself (downloads), as ffprobe reads it."
    )

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


# --- transcripts and captions (media/transcripts.py) -----------------------------------------


class TranscriptStatus(models.TextChoices):
    """The state of an asset's transcript; the API adds `disabled` (no Deepgram key) and
    `none` (content that is not spoken word) on top of these."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class CaptionSource(models.TextChoices):
    GENERATED = "generated", "Generated from speech"
    UPLOADED = "uploaded", "Uploaded by a person"


class Transcript(TimeStampedModel):
    """What was said in an asset: Deepgram's words (with timings) and paragraphs.

    Created when spoken-word content points at the asset; transcribed after processing by
    the `media.transcribe_asset` task (claimed like every job, see media/jobs.py).
    `caption_languages` mirrors the languages that have a current caption track, so a list
    of items shows its captions without a query per item. `text` is what the segments say,
    as one document: PostgreSQL keeps a stored `search_document` of it with a GIN index
    (migration media/0004; not a model field), which finds the items that said a word
    without visiting every matching segment."""

    asset = models.OneToOneField(MediaAsset, on_delete=models.CASCADE, related_name="transcript")
    status = models.CharField(
        max_length=16, choices=TranscriptStatus.choices, default=TranscriptStatus.PENDING
    )
    requested_language = models.CharField(
        max_length=16, blank=True, help_text="BCP-47 tag set by the owner; empty: detected."
    )
    language = models.CharField(max_length=16, blank=True, help_text="Spoken language.")
    source = models.CharField(
        max_length=16, choices=CaptionSource.choices, default=CaptionSource.GENERATED
    )
    words = models.JSONField(default=list, blank=True, help_text="[[start, end, word], ...]")
    paragraphs = models.JSONField(
        default=list, blank=True, help_text='[{"start", "end", "text"}, ...]'
    )
    caption_languages = models.JSONField(default=list, blank=True)
    text = models.TextField(
        blank=True, help_text="Everything said, as the search segments hold it (one document)."
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "media_transcripts"
        indexes = [models.Index(fields=["status"], name="media_transcript_status_idx")]

    def __str__(self):
        return f"transcript {self.asset_id} ({self.status})"


class CaptionTrack(models.Model):
    """One version of an asset's captions in one language, as normalised WebVTT. A new
    version (generated or uploaded) becomes current; older ones stay as history."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="caption_tracks")
    language = models.CharField(max_length=16)
    source = models.CharField(max_length=16, choices=CaptionSource.choices)
    vtt = models.TextField()
    cue_count = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_caption_tracks"
        ordering = ["asset", "language", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "language"],
                condition=models.Q(is_current=True),
                name="media_caption_current_unique",
            )
        ]
        indexes = [
            models.Index(fields=["asset", "language", "-created_at"], name="media_caption_hist_idx")
        ]

    def __str__(self):
        return f"{self.asset_id}:{self.language} ({self.source})"


class TranscriptSegment(models.Model):
    """A short stretch of speech (one caption cue) for search inside what was said.

    `words` holds [start, word] pairs, so a match points at the second the word was said.
    PostgreSQL also has a stored `search_vector` column with a GIN index (migration
    media/0004; not a model field)."""

    asset = models.ForeignKey(
        MediaAsset, on_delete=models.CASCADE, related_name="transcript_segments"
    )
    position = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField()
    words = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "media_transcript_segments"
        ordering = ["asset", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "position"], name="media_transcript_segment_unique"
            )
        ]

    def __str__(self):
        return f"{self.asset_id}@{self.start:.1f}"


class OutlineStatus(models.TextChoices):
    """Chapters and a summary drafted from an asset's transcript by the language model."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Drafting"
    DRAFT = "draft", "Draft ready for review"
    FAILED = "failed", "Failed"


class Outline(TimeStampedModel):
    """Chapters and a summary of what was said in an asset. The language model writes a
    draft (`draft_chapters`, `draft_summary`) from the transcript; what the owner accepts or
    edits becomes the published `chapters` and `summary`, which a new draft never replaces.
    Chapters are `[{"start": seconds, "title": str}, ...]`, in order, the first at 0."""

    asset = models.OneToOneField(MediaAsset, on_delete=models.CASCADE, related_name="outline")
    status = models.CharField(
        max_length=16, choices=OutlineStatus.choices, default=OutlineStatus.PENDING
    )
    draft_summary = models.TextField(blank=True)
    draft_chapters = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    chapters = models.JSONField(default=list, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "media_outlines"

    def __str__(self):
        return f"outline {self.asset_id} ({self.status})"
