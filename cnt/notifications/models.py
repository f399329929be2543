"""Notification rows (the source of truth a client reads over REST) and delivery preferences.

The tables were created by the community app; they keep their names, columns and indexes."""

from django.conf import settings
from django.db import models


class NotificationType(models.TextChoices):
    LIKE = "like", "Like"
    COMMENT = "comment", "Comment"
    FOLLOW = "follow", "Follow"
    CONTENT_APPROVED = "content_approved", "Content approved"
    CONTENT_REJECTED = "content_rejected", "Content rejected"
    MEDIA_READY = "media_ready", "Media ready"
    MEDIA_FAILED = "media_failed", "Media failed"
    LIVE_STARTED = "live_started", "Live stream started"
    NEW_CONTENT = "new_content", "New content from an artist you follow"
    REPLY = "reply", "Reply to your comment"
    DONATION = "donation", "Donation"
    SUPPORT_REPLY = "support_reply", "Support reply"
    SYSTEM = "system", "System"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When its phone push went out (or was folded into a later one of the same kind): a
    # replayed push task finds it set and sends nothing twice.
    pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notifications_inbox_idx"),
            models.Index(fields=["recipient", "read_at"], name="notifications_unread_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Per-type delivery choices; a missing row means the defaults (in-app on, email off,
    push on). Push goes only with in-app: it announces a notification the app can show."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    push = models.BooleanField(default=True)

    class Meta:
        db_table = "notification_preferences"
        constraints = [
            models.UniqueConstraint(fields=["user", "type"], name="notification_preferences_unique")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.type}"


class NotificationFanout(models.Model):
    """One row per fan-out that has run: its key is claimed in the transaction that inserts
    the notifications, so a retried task finds it and notifies nobody twice."""

    key = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    recipients_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notification_fanouts"

    def __str__(self):
        return self.key


class DevicePlatform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"
    WEB = "web", "Web"


class Device(models.Model):
    """A phone or browser that receives push notifications (its FCM registration token).

    A token identifies an app install, not a person: when another user signs in on the same
    install, the token moves to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    token = models.CharField(max_length=512, unique=True)
    platform = models.CharField(max_length=16, choices=DevicePlatform.choices)
    app_version = models.CharField(max_length=32, blank=True)
    locale = models.CharField(max_length=35, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_devices"
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(fields=["user", "-last_seen_at"], name="notification_devices_user_idx")
        ]

    def __str__(self):
        return f"{self.platform} device of {self.user_id}"
