from django.conf import settings
from django.db import models

from catalog.models import ContentType
from cnt.models import ModeratedContent, TimeStampedModel

ASSET = "media.MediaAsset"


class DocumentAsset(TimeStampedModel):
    """A PDF (Bible, study guide) uploaded by moderators and admins."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.ForeignKey(ASSET, on_delete=models.PROTECT, related_name="+")
    cover = models.ForeignKey(
        ASSET,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Page 1 rendered as an image (made when the document is created).",
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=16, default="en")
    page_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_published = models.BooleanField(default=True)
    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "document_assets"
        ordering = ["title"]
        indexes = [models.Index(fields=["is_published", "title"], name="document_assets_list_idx")]

    def __str__(self):
        return self.title


class BibleStory(ModeratedContent):
    """An animated Bible story: a video (or audio) telling with its scripture reference."""

    title = models.CharField(max_length=200)
    scripture_reference = models.CharField(
        max_length=255, blank=True, help_text="Normalised, e.g. “John 3:16-18; Romans 8:28”."
    )
    description = models.TextField(blank=True)
    body = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bible_stories"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    video = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audio = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thumbnail = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duration_seconds = models.PositiveIntegerField(default=0)
    play_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "bible_stories"
        verbose_name = "Bible story"
        verbose_name_plural = "Bible stories"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="bible_stories_feed_idx"),
            models.Index(fields=["owner", "-created_at"], name="bible_stories_owner_idx"),
        ]

    def __str__(self):
        return self.title


class ScriptureLink(models.Model):
    """One normalised verse range a piece of content is about (a story, a podcast).

    Verse ids are BBCCCVVV integers (book, chapter, verse), so canonical order is numeric
    order and "overlaps John 3:16" is `start <= 43003016 <= end` on one index.
    """

    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    object_id = models.PositiveBigIntegerField()
    start_verse_id = models.PositiveIntegerField()
    end_verse_id = models.PositiveIntegerField()
    label = models.CharField(max_length=100, help_text="The range as text, e.g. “John 3:16-18”.")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bible_passages"
        ordering = ["content_type", "object_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_verse_id__lte=models.F("end_verse_id")),
                name="bible_passages_range_ordered",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "start_verse_id", "end_verse_id"],
                name="bible_passages_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="bible_passages_target_idx"),
            models.Index(
                fields=["start_verse_id", "end_verse_id"], name="bible_passages_range_idx"
            ),
        ]

    def __str__(self):
        return f"{self.content_type}#{self.object_id} {self.label}"
