from django.conf import settings
from django.db import models

from cnt.models import ModeratedContent, TimeStampedModel


class PostType(models.TextChoices):
    GENERAL = "general", "General"
    TESTIMONY = "testimony", "Testimony"
    PRAYER_REQUEST = "prayer_request", "Prayer request"
    QUOTE = "quote", "Quote"


class CommunityPost(ModeratedContent):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_posts"
    )
    post_type = models.CharField(max_length=16, choices=PostType.choices, default=PostType.GENERAL)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=5000)
    image = models.ForeignKey(
        "media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    likes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "community_posts"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="community_posts_feed_idx"),
            models.Index(fields=["author", "-created_at"], name="community_posts_author_idx"),
        ]

    def __str__(self):
        return self.title or self.body[:50]


class Comment(TimeStampedModel):
    """A comment on a post; `parent` makes replies threaded."""

    post = models.ForeignKey(CommunityPost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=2000)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden after reports, until a moderator reviews it."
    )

    class Meta:
        db_table = "comments"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["post", "created_at"], name="comments_post_idx")]

    def __str__(self):
        return self.body[:50]


class Like(models.Model):
    post = models.ForeignKey(CommunityPost, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "likes"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="likes_post_user_unique")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="likes_user_idx")]

    def __str__(self):
        return f"{self.user_id} likes {self.post_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld (content removed)"
    DISMISSED = "dismissed", "Dismissed"


class Report(TimeStampedModel):
    """A user's report of a post or a comment, resolved by moderators."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    post = models.ForeignKey(
        CommunityPost, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField(max_length=1000)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "community_reports"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, comment__isnull=True)
                | models.Q(post__isnull=True, comment__isnull=False),
                name="community_reports_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=models.Q(post__isnull=False),
                name="community_reports_post_once",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(comment__isnull=False),
                name="community_reports_comment_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="community_reports_queue_idx")
        ]

    def __str__(self):
        return f"report by {self.reporter_id}"
