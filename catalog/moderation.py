"""Moderation: the status transitions of every moderated content type, and the queue reads.

One service per transition (`content_approve`, `content_reject`), used by Django Admin and the
REST admin endpoints alike. Each locks the row, writes a ModerationDecision, stamps who and
when, and notifies the owner (row now, push after commit). Repeating a decision is a no-op.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.policies import is_moderator
from catalog.lexicon import lexicon_add_content
from catalog.models import ContentType, ModerationAction, ModerationDecision
from cnt.models import ModerationStatus
from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create

REASON_MAX_LENGTH = 2000

# API name -> model label. The order is the order of the admin queue and the dashboard.
MODEL_LABELS = {
    ContentType.PODCAST: "catalog.Podcast",
    ContentType.MOVIE: "catalog.Movie",
    ContentType.MUSIC: "catalog.MusicTrack",
    ContentType.BIBLE_STORY: "bible.BibleStory",
    ContentType.COMMUNITY_POST: "community.CommunityPost",
}


class UnknownContentType(LookupError):
    """`content_type` names no moderated model."""


def model_for(content_type: str) -> type[models.Model]:
    try:
        label = MODEL_LABELS[ContentType(content_type)]
    except ValueError:
        raise UnknownContentType(content_type)
    return apps.get_model(label)


def content_type_for(model_or_obj) -> ContentType:
    meta = model_or_obj._meta
    for content_type, label in MODEL_LABELS.items():
        if label.lower() == meta.label_lower:
            return content_type
    raise UnknownContentType(meta.label)


def owner_id_of(obj) -> int | None:
    """Catalog content and Bible stories have an `owner`, community posts an `author`."""
    return getattr(obj, "owner_id", None) or getattr(obj, "author_id", None)


def display_title(obj) -> str:
    return str(obj)[:80] or f"#{obj.pk}"


@dataclass(frozen=True)
class ModerationResult:
    obj: models.Model
    content_type: ContentType
    changed: bool
    decision: ModerationDecision | None = None


def _check_moderator(moderator) -> None:
    if not is_moderator(moderator):
        raise PermissionDenied("Moderators only.")


def _transition(*, content_type, obj, moderator, target: str, reason: str = "") -> ModerationResult:
    content_type = ContentType(content_type)
    model = model_for(content_type)
    if not isinstance(obj, model):
        raise UnknownContentType(f"{obj!r} is not a {content_type}")
    _check_moderator(moderator)
    with transaction.atomic():
        # The lock serialises concurrent decisions on one item; the loser sees the new status.
        locked = model.objects.select_for_update().get(pk=obj.pk)
        previous = locked.status
        changed = previous != target
        decision = None
        if changed:
            now = timezone.now()
            locked.status = target
            locked.rejection_reason = reason if target == ModerationStatus.REJECTED else ""
            locked.moderated_by = moderator
            locked.moderated_at = now
            fields = ["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"]
            is_catalog = hasattr(locked, "published_at")
            if target == ModerationStatus.APPROVED and is_catalog and locked.published_at is None:
                locked.published_at = now
                fields.append("published_at")
            locked.save(update_fields=fields)
            if target == ModerationStatus.APPROVED:
                lexicon_add_content(locked)
            action = (
                ModerationAction.APPROVE
                if target == ModerationStatus.APPROVED
                else ModerationAction.REJECT
            )
            decision = ModerationDecision.objects.create(
                content_type=content_type,
                object_id=locked.pk,
                action=action,
                previous_status=previous,
                reason=reason,
                moderator=moderator,
            )
            _notify_owner(locked, content_type, target, reason, moderator)
            first_approval = (
                target == ModerationStatus.APPROVED
                and getattr(locked, "artist_id", None)
                and not ModerationDecision.objects.filter(
                    content_type=content_type, object_id=locked.pk, action=ModerationAction.APPROVE
                )
                .exclude(pk=decision.pk)
                .exists()
            )
            if first_approval:
                from catalog.tasks import notify_followers_of_new_content

                args = (content_type.value, locked.pk)
                transaction.on_commit(lambda: notify_followers_of_new_content.delay(*args))
    for field in ("status", "rejection_reason", "moderated_by_id", "moderated_at", "updated_at"):
        setattr(obj, field, getattr(locked, field))
    if hasattr(locked, "published_at"):
        obj.published_at = locked.published_at
    return ModerationResult(
        obj=locked, content_type=content_type, changed=changed, decision=decision
    )


def _notify_owner(obj, content_type, target, reason, moderator) -> None:
    recipient_id = owner_id_of(obj)
    if recipient_id is None:
        return
    label = content_type.label.lower()
    name = display_title(obj)
    if target == ModerationStatus.APPROVED:
        kind, title, message = (
            NotificationType.CONTENT_APPROVED,
            f"Your {label} “{name}” is now public",
            "",
        )
    else:
        kind, title, message = (
            NotificationType.CONTENT_REJECTED,
            f"Your {label} “{name}” was not approved",
            reason,
        )
    notification_create(
        recipient=recipient_id,
        type=kind,
        title=title,
        message=message,
        data={"content_type": content_type.value, "id": obj.pk},
        actor=moderator,
    )


def content_approve(*, content_type, obj, moderator) -> ModerationResult:
    """Make `obj` public. Approving approved content changes nothing and audits nothing."""
    return _transition(
        content_type=content_type, obj=obj, moderator=moderator, target=ModerationStatus.APPROVED
    )


def content_reject(*, content_type, obj, moderator, reason: str) -> ModerationResult:
    """Hide `obj` with a reason the owner is told. Rejecting rejected content is a no-op."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "A reason is required to reject content."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH} characters."})
    return _transition(
        content_type=content_type,
        obj=obj,
        moderator=moderator,
        target=ModerationStatus.REJECTED,
        reason=reason,
    )


def content_approve_many(*, content_type, objects, moderator) -> list[ModerationResult]:
    """Approve each item in its own transaction (one bad row does not undo the others)."""
    return [
        content_approve(content_type=content_type, obj=obj, moderator=moderator)
        for obj in sorted(objects, key=lambda o: o.pk)
    ]


def content_reject_many(*, content_type, objects, moderator, reason: str) -> list[ModerationResult]:
    return [
        content_reject(content_type=content_type, obj=obj, moderator=moderator, reason=reason)
        for obj in sorted(objects, key=lambda o: o.pk)
    ]


# --- reads ------------------------------------------------------------------------------


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
    for content_type in content_types or MODEL_LABELS:
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
