from django.conf import settings
from django.db import models

from catalog import kinds
from cnt.models import ModeratedContent, ModerationStatus, TimeStampedModel

ASSET = "media.MediaAsset"
# The longest scripture reference a client may type (stored normalised, up to 255).
MAX_REFERENCE_LENGTH = 200


class CategoryKind(models.TextChoices):
    GENERAL = "general", "General"
    PODCAST = "podcast", "Podcast"
    MUSIC = "music", "Music"
    MOVIE = "movie", "Movie"
    BIBLE = "bible", "Bible"
    COMMUNITY = "community", "Community"


class Category(TimeStampedModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(
        max_length=16, choices=CategoryKind.choices, default=CategoryKind.GENERAL
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "categories"
        verbose_name_plural = "categories"
        ordering = ["position", "name"]
        indexes = [
            models.Index(fields=["kind", "is_active", "position"], name="categories_kind_idx")
        ]

    def __str__(self):
        return self.name


class Artist(TimeStampedModel):
    """A creator's public profile, created the first time a user publishes content."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="artist"
    )
    name = models.CharField(max_length=150)
    bio = models.TextField(blank=True)
    cover_image = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_verified = models.BooleanField(default=False)
    is_trusted = models.BooleanField(
        default=False, help_text="Content from trusted creators is approved without review."
    )
    followers_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "artists"
        ordering = ["name"]
        indexes = [models.Index(fields=["-followers_count"], name="artists_popular_idx")]

    def __str__(self):
        return self.name


class ArtistFollower(models.Model):
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="follower_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "artist_followers"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["artist", "user"], name="artist_followers_unique")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="artist_followers_user_idx")]

    def __str__(self):
        return f"{self.user_id} follows {self.artist_id}"


class PublishedContent(ModeratedContent):
    """Fields every streamable catalogue item shares."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="%(class)s_set"
    )
    artist = models.ForeignKey(
        Artist, null=True, blank=True, on_delete=models.SET_NULL, related_name="%(class)s_set"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="%(class)s_set"
    )
    thumbnail = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duration_seconds = models.PositiveIntegerField(default=0)
    play_count = models.PositiveBigIntegerField(default=0)
    is_featured = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta(ModeratedContent.Meta):
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="%(class)s_feed_idx"),
            models.Index(fields=["artist", "status", "-created_at"], name="%(class)s_artist_idx"),
            models.Index(fields=["category", "status", "-created_at"], name="%(class)s_cat_idx"),
            models.Index(fields=["owner", "-created_at"], name="%(class)s_owner_idx"),
            models.Index(fields=["status", "-play_count"], name="%(class)s_popular_idx"),
        ]

    def __str__(self):
        return self.title


class TranscriptFormat(models.TextChoices):
    """What podcast apps accept as a transcript (Podcasting 2.0 `podcast:transcript` types)."""

    WEBVTT = "text/vtt", "WebVTT"
    SRT = "application/x-subrip", "SubRip (SRT)"
    JSON = "application/json", "JSON"
    HTML = "text/html", "HTML"
    TEXT = "text/plain", "Plain text"


class Podcast(PublishedContent):
    audio = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    video = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode_number = models.PositiveIntegerField(null=True, blank=True)
    scripture_reference = models.CharField(
        max_length=255,
        blank=True,
        help_text="The passages the episode is about, normalised (“John 3:16-18; Romans 8:28”); "
        "bible_passages holds them as verse ranges.",
    )
    # What the podcast feed (catalog/feeds/) says beyond the content itself.
    is_explicit = models.BooleanField(
        default=False, help_text="Marked explicit in podcast apps (itunes:explicit)."
    )
    transcript_url = models.URLField(
        max_length=500, blank=True, help_text="A transcript podcast apps may show."
    )
    transcript_format = models.CharField(
        max_length=32, choices=TranscriptFormat.choices, blank=True
    )
    chapters_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Chapters as JSON (the Podcasting 2.0 JSON chapters format).",
    )

    class Meta(PublishedContent.Meta):
        db_table = "podcasts"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transcript_url="") | ~models.Q(transcript_format=""),
                name="podcasts_transcript_has_format",
            )
        ]


class Movie(PublishedContent):
    video = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poster = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    director = models.CharField(max_length=150, blank=True)
    cast = models.TextField(blank=True)
    release_year = models.PositiveSmallIntegerField(null=True, blank=True)
    age_rating = models.CharField(max_length=16, blank=True)

    class Meta(PublishedContent.Meta):
        db_table = "movies"


class MusicTrack(PublishedContent):
    audio = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    album = models.CharField(max_length=200, blank=True)
    genre = models.CharField(max_length=100, blank=True)
    track_number = models.PositiveSmallIntegerField(null=True, blank=True)
    lyrics = models.TextField(blank=True)

    class Meta(PublishedContent.Meta):
        db_table = "music_tracks"


class Playlist(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    cover_image = models.ForeignKey(
        ASSET, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "playlists"
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="playlists_owner_idx"),
            models.Index(fields=["is_public", "-updated_at"], name="playlists_public_idx"),
        ]

    def __str__(self):
        return self.name


# Every content kind by the name used in API paths, playlist items, plays and moderation
# decisions; built from the registry (catalog/kinds.py), where each kind is declared once.
ContentType = kinds.kind_text_choices("ContentType")
PlaylistItemType = kinds.kind_text_choices("PlaylistItemType", kinds.playlist_kinds())


class PlaylistItem(models.Model):
    """One entry of a playlist: a (content_type, object_id) reference to an item of any kind
    that playlists accept. Deleting the item removes its entries (catalog/receivers.py)."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    content_type = models.CharField(max_length=16, choices=PlaylistItemType.choices)
    object_id = models.PositiveBigIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "playlist_items"
        ordering = ["playlist", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["playlist", "position"], name="playlist_items_position_unique"
            ),
            models.UniqueConstraint(
                fields=["playlist", "content_type", "object_id"],
                name="playlist_items_content_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__in=PlaylistItemType.values),
                name="playlist_items_playlist_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="playlist_items_target_idx")
        ]

    def __str__(self):
        return f"{self.playlist_id}#{self.position}"


class ModerationAction(models.TextChoices):
    """What a ModerationDecision did; catalog.moderation has one service per action."""

    SUBMIT = "submit", "Submit"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    RESUBMIT = "resubmit", "Back to review"
    HIDE = "hide", "Hide after reports"
    RESTORE = "restore", "Restore"
    EDIT_SUBMIT = "edit_submit", "Edit submitted"
    EDIT_APPROVE = "edit_approve", "Edit approved"
    EDIT_REJECT = "edit_reject", "Edit rejected"


class ModerationDecision(models.Model):
    """Audit record of one moderation decision: who, when, what and why."""

    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=16, choices=ModerationAction.choices)
    previous_status = models.CharField(max_length=16, choices=ModerationStatus.choices)
    reason = models.TextField(blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "moderation_decisions"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="moderation_target_idx"),
            models.Index(fields=["moderator", "-created_at"], name="moderation_moderator_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.content_type}#{self.object_id}"


class EditStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved (applied)"
    REJECTED = "rejected", "Rejected (discarded)"
    WITHDRAWN = "withdrawn", "Withdrawn by the owner"


class PendingEdit(TimeStampedModel):
    """An owner's change to the public text of approved content, waiting for a moderator.

    The item keeps showing (and being found by) its approved text meanwhile; approving
    applies `changes` (field -> proposed value) to it, rejecting discards them with a
    reason. At most one edit per item is pending: later edits merge into it."""

    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    object_id = models.PositiveBigIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_edits"
    )
    changes = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=EditStatus.choices, default=EditStatus.PENDING)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "content_edits"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(status="pending"),
                name="content_edits_one_pending",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="content_edits_queue_idx"),
            models.Index(fields=["content_type", "object_id"], name="content_edits_target_idx"),
        ]

    def __str__(self):
        return f"edit of {self.content_type}#{self.object_id}"


class PlayEvent(models.Model):
    """One counted play (a listener passed the threshold), for counters and trending."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    object_id = models.PositiveBigIntegerField()
    played_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "play_events"
        ordering = ["-played_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-played_at"], name="plays_item_idx"),
            models.Index(fields=["user", "-played_at"], name="plays_user_idx"),
        ]

    def __str__(self):
        return f"{self.content_type}#{self.object_id}"


class PlaybackProgress(models.Model):
    """Where a user is in an item: listening history and "continue watching"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playback_progress"
    )
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    object_id = models.PositiveBigIntegerField()
    position_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(default=0)
    is_completed = models.BooleanField(default=False)
    last_counted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "playback_progress"
        verbose_name_plural = "playback progress"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="playback_progress_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="playback_user_idx")]

    def __str__(self):
        return f"{self.user_id} {self.content_type}#{self.object_id} @{self.position_seconds}"


class SearchWord(models.Model):
    """A word of an approved title, tag or artist name: what search corrects typos against.

    Filled as content is approved (catalog.lexicon.lexicon_add) and rebuilt by the
    `search_lexicon_rebuild` command; PostgreSQL serves similarity look-ups from a GiST
    trigram index (migration 0004)."""

    word = models.CharField(max_length=40, primary_key=True)

    class Meta:
        db_table = "search_words"

    def __str__(self):
        return self.word


__all__ = [
    "SearchWord",
    "ContentType",
    "ModerationAction",
    "ModerationDecision",
    "PlayEvent",
    "PlaybackProgress",
    "Artist",
    "ArtistFollower",
    "Category",
    "CategoryKind",
    "ModerationStatus",
    "Movie",
    "MusicTrack",
    "Playlist",
    "PlaylistItem",
    "PlaylistItemType",
    "Podcast",
    "TranscriptFormat",
]
