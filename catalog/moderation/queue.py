"""What waits for moderators, and the decisions made (see catalog/moderation/__init__.py)."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Min, Q
from django.utils import timezone

from catalog import kinds
from catalog.models import (
    ContentType,
    EditStatus,
    ModerationDecision,
    PendingEdit,
)
from catalog.moderation.transitions import content_type_for, model_for
from cnt.models import ModerationStatus

# --- reads ------------------------------------------------------------------------------


def pending_edit_for(obj) -> PendingEdit | None:
    """The pending edit of one item, if any."""
    return PendingEdit.objects.filter(
        content_type=content_type_for(obj), object_id=obj.pk, status=EditStatus.PENDING
    ).first()


def pending_edits_by_id(content_type, ids) -> dict[int, PendingEdit]:
    """The pending edits of many items of one kind, by item id (one query)."""
    edits = PendingEdit.objects.filter(
        content_type=ContentType(content_type), object_id__in=list(ids), status=EditStatus.PENDING
    )
    return {edit.object_id: edit for edit in edits}


def pending_edits_queue() -> models.QuerySet:
    """Every pending edit, oldest first (the moderators' queue)."""
    return PendingEdit.objects.filter(status=EditStatus.PENDING).select_related("owner")


@dataclass(frozen=True)
class QueueEntry:
    content_type: ContentType
    model: type[models.Model]
    pending: int
    oldest_pending_at: object  # datetime | None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()

    def oldest_age_seconds(self, now=None) -> int | None:
        if self.oldest_pending_at is None:
            return None
        now = now or timezone.now()
        return max(0, int((now - self.oldest_pending_at).total_seconds()))


def status_counts(content_type) -> dict:
    """Counts per status and the oldest pending item's creation time, in one query."""
    model = model_for(content_type)
    pending = Q(status=ModerationStatus.PENDING)
    return model.objects.aggregate(
        pending=Count("pk", filter=pending),
        approved=Count("pk", filter=Q(status=ModerationStatus.APPROVED)),
        rejected=Count("pk", filter=Q(status=ModerationStatus.REJECTED)),
        oldest_pending_at=Min("created_at", filter=pending),
    )


def moderation_queue(content_types=None) -> list[QueueEntry]:
    """Pending work per content type (one query per type), for the admin index."""
    entries = []
    for content_type in content_types or [kind.name for kind in kinds.kinds()]:
        model = model_for(content_type)
        row = model.objects.filter(status=ModerationStatus.PENDING).aggregate(
            n=Count("pk"), oldest=Min("created_at")
        )
        entries.append(QueueEntry(ContentType(content_type), model, row["n"], row["oldest"]))
    return entries


def decisions_for(obj) -> models.QuerySet:
    """The audit trail of one item, newest first."""
    return ModerationDecision.objects.filter(
        content_type=content_type_for(obj), object_id=obj.pk
    ).select_related("moderator")
