from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from cnt.validators import validate_single_line


class CntUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Logins and admin lookups ignore case, as the unique constraints do.
        return self.get(username__iexact=username)


class PlaybackQuality(models.TextChoices):
    """Which renditions the URLs the API hands this user point at (media/profiles.py)."""

    AUTO = "auto", "Auto: the player adapts across every rung"
    DATA_SAVER = "data-saver", "Data saver: 240p/144p video and 48 kbps speech audio only"
    HIGH = "high", "High: the standard rungs only, never the data-saver ones"


class User(AbstractUser):
    """A listener, creator, moderator or admin. Email and username are unique ignoring case."""

    first_name = None
    last_name = None
    email = models.EmailField("email address", max_length=254)
    # Shown in email greetings and headers, push payloads: one line, no control characters.
    display_name = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    bio = models.TextField(blank=True, max_length=2000)
    avatar = models.ForeignKey(
        "media.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_email_verified = models.BooleanField(default=False)
    # What the API, emails and pushes speak to this user; blank follows the device
    # (Accept-Language, the device's locale).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    quality = models.CharField(
        max_length=16, choices=PlaybackQuality.choices, default=PlaybackQuality.AUTO
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CntUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
        ]

    def __str__(self):
        return self.username

    def get_full_name(self):
        return self.display_name or self.username

    def get_short_name(self):
        return self.display_name or self.username


class OtpPurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Verify email"
    PASSWORD_RESET = "password_reset", "Password reset"


class EmailVerification(models.Model):
    """A one-time code sent by email; only its hash is stored."""

    email = models.EmailField(max_length=254)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="email_verifications"
    )
    purpose = models.CharField(
        max_length=32, choices=OtpPurpose.choices, default=OtpPurpose.VERIFY_EMAIL
    )
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "email_verification"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email", "purpose", "-created_at"], name="email_verif_lookup_idx")
        ]

    def __str__(self):
        return f"{self.email} ({self.purpose})"
