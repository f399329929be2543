from django.conf import settings
from django.db import models

from cnt.models import ModeratedContent, TimeStampedModel

ASSET = "media.MediaAsset"


class DocumentAsset(TimeStampedModel):
    """A PDF (Bible, study guide) uploaded by moderators and admins."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.ForeignKey(ASSET, on_delete=models.PROTECT, related_name="+")
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
    scripture_reference = models.CharField(max_length=100, blank=True)
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
        verbose_name_plural = "Bible stories"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="bible_stories_feed_idx"),
            models.Index(fields=["owner", "-created_at"], name="bible_stories_owner_idx"),
        ]

    def __str__(self):
        return self.title
