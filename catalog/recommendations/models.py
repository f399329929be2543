"""Tables behind recommendations, all derived from plays and playlist saves (rebuildable).

Items are (item_type, item_id) references to any playable content kind, as in play events.
The update task (catalog/recommendations/services.py) reads new events past a watermark,
records each listener's distinct engagements, adds co-occurrence counts for the pairs they
make, and keeps every touched item's top neighbours; a request reads only the neighbours.
"""

from django.conf import settings
from django.db import models

from catalog.models import ContentType


class EngagementSource(models.TextChoices):
    PLAY = "play", "Counted play"
    SAVE = "save", "Added to a playlist"


class Engagement(models.Model):
    """A listener engaged with an item (first counted play or playlist save): one row per
    listener and item, whatever happens next."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(max_length=20, choices=ContentType.choices)
    item_id = models.PositiveBigIntegerField()
    source = models.CharField(max_length=8, choices=EngagementSource.choices)
    # The update run that recorded it: that run pairs it with the listener's earlier ones.
    batch = models.PositiveBigIntegerField()

    class Meta:
        db_table = "recommendation_engagements"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item_type", "item_id"], name="recommendation_engagement_unique"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="recommendation_eng_user_idx"),
            models.Index(fields=["batch"], name="recommendation_eng_batch_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.item_type}#{self.item_id}"


class ItemStats(models.Model):
    """Per item: how many listeners engaged with it (the norm of its co-occurrence scores),
    and its place in the trending list new listeners get (snapshot of each update run)."""

    item_type = models.CharField(max_length=20, choices=ContentType.choices)
    item_id = models.PositiveBigIntegerField()
    listeners = models.PositiveIntegerField(default=0)
    trending_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "recommendation_items"
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id"], name="recommendation_items_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["trending_rank"],
                name="recommendation_trending_idx",
                condition=models.Q(trending_rank__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.item_type}#{self.item_id}: {self.listeners}"


class CoOccurrence(models.Model):
    """How many listeners engaged with both items; stored in both directions."""

    item_type = models.CharField(max_length=20, choices=ContentType.choices)
    item_id = models.PositiveBigIntegerField()
    other_type = models.CharField(max_length=20, choices=ContentType.choices)
    other_id = models.PositiveBigIntegerField()
    listeners = models.PositiveIntegerField(default=0)
    batch = models.PositiveBigIntegerField(help_text="The last update run that changed it.")

    class Meta:
        db_table = "recommendation_pairs"
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id", "other_type", "other_id"],
                name="recommendation_pairs_unique",
            )
        ]

    def __str__(self):
        return f"{self.item_type}#{self.item_id} ~ {self.other_type}#{self.other_id}"


class Neighbour(models.Model):
    """One of an item's top neighbours (RECOMMENDATIONS_NEIGHBOURS of them), by cosine
    similarity of their listeners: what a request reads, one indexed range per item."""

    item_type = models.CharField(max_length=20, choices=ContentType.choices)
    item_id = models.PositiveBigIntegerField()
    other_type = models.CharField(max_length=20, choices=ContentType.choices)
    other_id = models.PositiveBigIntegerField()
    score = models.FloatField()

    class Meta:
        db_table = "recommendation_neighbours"
        indexes = [
            models.Index(
                fields=["item_type", "item_id", "-score"], name="recommendation_neighbour_idx"
            )
        ]

    def __str__(self):
        return f"{self.item_type}#{self.item_id} -> {self.other_type}#{self.other_id}"


class Watermark(models.Model):
    """How far the update has read the event sources (the last play event and playlist item
    it processed) and the number of its last run. One row, locked while a run works."""

    name = models.CharField(max_length=32, primary_key=True)
    last_play_id = models.PositiveBigIntegerField(default=0)
    last_save_id = models.PositiveBigIntegerField(default=0)
    batch = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "recommendation_watermarks"

    def __str__(self):
        return f"{self.name}: run {self.batch}"
