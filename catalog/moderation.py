"""Moderation: every status change of every moderated content type, and the queue reads.

One service per transition, used by Django Admin, the REST admin endpoints and the apps'
own services alike; no other module assigns a moderated status. Each transition locks the
row, writes one ModerationDecision, stamps who and when, and tells the owner of decisions
someone else made (row now, push after commit). Repeating a transition is a no-op that
writes nothing.

    content_submit            new content: pending, or approved at once when trusted
    content_approve           a moderator makes it public
    content_reject            a moderator refuses it, with a reason the owner is told
    content_return_to_review  the owner changed reviewed content: back to pending
    content_hide              enough users reported it: out of public view until reviewed
    content_restore           a moderator dismisses the reports: public again

Edits of approved content's public text (the kind's `reviewed_text_fields`) by an untrusted
owner do not change the item: they wait as a PendingEdit while the approved text stays
public and searchable; the owner and moderators see the pending edit.

    content_edit_submit       the owner proposes new text (merged into the pending edit)
    content_edit_withdraw     the owner set fields back, or wrote them directly
    content_edit_approve      a moderator applies the edit to the item
    content_edit_reject       a moderator discards it, with a reason the owner is told

`moderated_by` / `moderated_at` describe the review the current status rests on: stamped when
content becomes approved or rejected, cleared when it goes (back) to pending. System
transitions (submit, return to review, hide) record no moderator.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.policies import is_moderator
from catalog import kinds
from catalog.lexicon import lexicon_add_content
from catalog.models import (
    ContentType,
    EditStatus,
    ModerationAction,
    ModerationDecision,
    PendingEdit,
)
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create

REASON_MAX_LENGTH = 2000

_ANY = frozenset(ModerationStatus.values)
_REVIEWED = frozenset({ModerationStatus.APPROVED, ModerationStatus.REJECTED})


# A name no content kind has (catalog/kinds.py is the one list of moderated kinds).
UnknownContentType = kinds.UnknownContentKind


def model_for(content_type: str) -> type[models.Model]:
    return kinds.kind_get(content_type).model


def content_type_for(model_or_obj) -> ContentType:
    return ContentType(kinds.kind_for(model_or_obj).name)


def owner_id_of(obj) -> int | None:
    """The owner of an item, by its kind's owner field (`owner`, or a post's `author`)."""
    return kinds.kind_for(obj).owner_id_of(obj)


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
        raise Forbidden("Moderators only.")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(errors={"reason": ["A reason is required to reject content."]})
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            errors={"reason": [f"Keep the reason under {REASON_MAX_LENGTH} characters."]}
        )
    return reason


def _transition(
    *,
    content_type,
    obj,
    action: str,
    target: str,
    sources=_ANY,
    moderator=None,
    reason: str = "",
    applies=None,
) -> ModerationResult:
    """Move `obj` to `target` when its locked status is one of `sources` (and `applies`,
    given the locked row, agrees); otherwise change and write nothing."""
    content_type = ContentType(content_type)
    model = model_for(content_type)
    if not isinstance(obj, model):
        raise UnknownContentType(f"{obj!r} is not a {content_type}")
    with transaction.atomic():
        # The lock serialises concurrent decisions on one item; the loser sees the new status.
        locked = model.objects.select_for_update().get(pk=obj.pk)
        previous = locked.status
        changed = previous in sources and (applies is None or applies(locked))
        decision = None
        if changed:
            decision = _apply(
                content_type=content_type,
                obj=locked,
                action=action,
                target=target,
                moderator=moderator,
                reason=reason,
            )
    for field in ("status", "rejection_reason", "moderated_by_id", "moderated_at", "updated_at"):
        setattr(obj, field, getattr(locked, field))
    if hasattr(locked, "published_at"):
        obj.published_at = locked.published_at
    return ModerationResult(
        obj=locked, content_type=content_type, changed=changed, decision=decision
    )


def _apply(*, content_type, obj, action, target, moderator, reason) -> ModerationDecision:
    previous = obj.status
    now = timezone.now()
    reviewed = target != ModerationStatus.PENDING
    obj.status = target
    obj.rejection_reason = reason if target == ModerationStatus.REJECTED else ""
    obj.moderated_by = moderator if reviewed else None
    obj.moderated_at = now if reviewed else None
    fields = ["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"]
    # Content goes public for the first time (approved by a moderator, or at once for a
    # trusted artist): it gets its publication date, and its artist's followers hear of it.
    first_publication = (
        target == ModerationStatus.APPROVED
        and hasattr(obj, "published_at")
        and obj.published_at is None
    )
    if first_publication:
        obj.published_at = now
        fields.append("published_at")
    obj.save(update_fields=fields)
    if target == ModerationStatus.APPROVED:
        lexicon_add_content(obj)
    decision = ModerationDecision.objects.create(
        content_type=content_type,
        object_id=obj.pk,
        action=action,
        previous_status=previous,
        reason=reason,
        moderator=moderator,
    )
    _notify_owner(obj, content_type, action, reason, moderator)
    if first_publication and getattr(obj, "artist_id", None):
        from catalog.tasks import notify_followers_of_new_content

        args = (content_type.value, obj.pk)
        transaction.on_commit(lambda: notify_followers_of_new_content.delay(*args))
    return decision


def _notify_owner(obj, content_type, action, reason, moderator) -> None:
    """The owner hears of what others decided; submitting and editing are their own acts."""
    recipient_id = owner_id_of(obj)
    label = content_type.label.lower()
    name = display_title(obj)
    messages = {
        ModerationAction.APPROVE: (
            NotificationType.CONTENT_APPROVED,
            f"Your {label} “{name}” is now public",
            "",
        ),
        ModerationAction.REJECT: (
            NotificationType.CONTENT_REJECTED,
            f"Your {label} “{name}” was not approved",
            reason,
        ),
        ModerationAction.HIDE: (
            NotificationType.SYSTEM,
            f"Your {label} “{name}” is hidden until a moderator reviews it",
            reason,
        ),
        ModerationAction.RESTORE: (
            NotificationType.CONTENT_APPROVED,
            f"Your {label} “{name}” is public again",
            "",
        ),
        ModerationAction.EDIT_APPROVE: (
            NotificationType.CONTENT_APPROVED,
            f"Your changes to your {label} “{name}” are now public",
            "",
        ),
        ModerationAction.EDIT_REJECT: (
            NotificationType.CONTENT_REJECTED,
            f"Your changes to your {label} “{name}” were not approved",
            reason,
        ),
    }
    if recipient_id is None or action not in messages:
        return
    kind, title, message = messages[action]
    notification_create(
        recipient=recipient_id,
        type=kind,
        title=title,
        message=message,
        data={"content_type": content_type.value, "id": obj.pk},
        actor=moderator,
    )


# --- transitions ---------------------------------------------------------------------------


def content_submit(*, content_type, obj, trusted: bool) -> ModerationResult:
    """Enter newly created (saved, pending) content into moderation: it waits for review, or
    is approved at once when `trusted` (a trusted artist, or a kind that needs no review).
    Submitting twice writes nothing."""

    def not_yet_submitted(locked) -> bool:
        return not ModerationDecision.objects.filter(
            content_type=content_type, object_id=locked.pk
        ).exists()

    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.SUBMIT,
        target=ModerationStatus.APPROVED if trusted else ModerationStatus.PENDING,
        sources={ModerationStatus.PENDING},
        applies=not_yet_submitted,
        reason="Approved without review." if trusted else "",
    )


def content_approve(*, content_type, obj, moderator) -> ModerationResult:
    """Make `obj` public. Approving approved content changes nothing and audits nothing."""
    _check_moderator(moderator)
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.APPROVE,
        target=ModerationStatus.APPROVED,
        sources=_ANY - {ModerationStatus.APPROVED},
        moderator=moderator,
    )


def content_reject(*, content_type, obj, moderator, reason: str) -> ModerationResult:
    """Hide `obj` with a reason the owner is told. Rejecting rejected content is a no-op."""
    reason = _clean_reason(reason)
    _check_moderator(moderator)
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.REJECT,
        target=ModerationStatus.REJECTED,
        sources=_ANY - {ModerationStatus.REJECTED},
        moderator=moderator,
        reason=reason,
    )


def content_return_to_review(*, content_type, obj, trusted: bool = False) -> ModerationResult:
    """The owner changed reviewed content (new media, an edited post): it goes back to the
    queue. Rejected content always does (only a moderator lifts a rejection); approved
    content keeps its approval when `trusted`. Pending content stays as it is."""
    sources = {ModerationStatus.REJECTED} if trusted else _REVIEWED
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.RESUBMIT,
        target=ModerationStatus.PENDING,
        sources=sources,
    )


def content_hide(*, content_type, obj, reporters: int) -> ModerationResult:
    """`reporters` distinct users reported public content: it leaves public view and waits
    for a moderator in the queue. Content not public is left alone."""
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.HIDE,
        target=ModerationStatus.PENDING,
        sources={ModerationStatus.APPROVED},
        reason=f"Reported by {reporters} user{'s' if reporters != 1 else ''}.",
    )


def content_restore(*, content_type, obj, moderator) -> ModerationResult:
    """A moderator dismissed the reports against `obj`: it is public again. Restoring public
    content is a no-op."""
    _check_moderator(moderator)
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.RESTORE,
        target=ModerationStatus.APPROVED,
        sources=_ANY - {ModerationStatus.APPROVED},
        moderator=moderator,
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


# --- edits of approved content ------------------------------------------------------------


def _edit_decision(edit: PendingEdit, obj, action, moderator=None, reason="") -> None:
    ModerationDecision.objects.create(
        content_type=edit.content_type,
        object_id=edit.object_id,
        action=action,
        previous_status=obj.status,
        reason=reason,
        moderator=moderator,
    )


def _pending_locked(content_type, object_id) -> PendingEdit | None:
    return (
        PendingEdit.objects.select_for_update()
        .filter(content_type=content_type, object_id=object_id, status=EditStatus.PENDING)
        .first()
    )


def content_edit_submit(*, content_type, obj, owner, changes: dict) -> PendingEdit | None:
    """The owner proposes new public text for approved `obj` (`changes`: field -> value,
    already normalised, each different from the public value). It merges into the item's
    pending edit (later values win) and waits for a moderator; the item is not changed.
    Proposing what is already pending writes nothing. Call inside the caller's transaction
    (with the item's row locked)."""
    content_type = ContentType(content_type)
    allowed = set(kinds.kind_get(content_type).reviewed_text_fields)
    if set(changes) - allowed:
        raise TypeError(f"not reviewed text fields: {sorted(set(changes) - allowed)}")
    if not changes:
        return _pending_locked(content_type, obj.pk)
    with transaction.atomic():
        edit = _pending_locked(content_type, obj.pk)
        if edit is None:
            edit = PendingEdit.objects.create(
                content_type=content_type, object_id=obj.pk, owner=owner, changes=dict(changes)
            )
        else:
            merged = {**edit.changes, **changes}
            if merged == edit.changes:
                return edit
            edit.changes = merged
            edit.save(update_fields=["changes", "updated_at"])
        _edit_decision(edit, obj, ModerationAction.EDIT_SUBMIT)
    return edit


def content_edit_withdraw(*, content_type, obj, fields) -> PendingEdit | None:
    """Drop `fields` from the item's pending edit (the owner set them back to the public
    value, or the item is not public and they were written directly); an edit left empty is
    withdrawn. Returns the edit still pending, if any."""
    content_type = ContentType(content_type)
    with transaction.atomic():
        edit = _pending_locked(content_type, obj.pk)
        if edit is None or not set(fields) & set(edit.changes):
            return edit
        edit.changes = {f: v for f, v in edit.changes.items() if f not in set(fields)}
        if edit.changes:
            edit.save(update_fields=["changes", "updated_at"])
            return edit
        edit.status = EditStatus.WITHDRAWN
        edit.decided_at = timezone.now()
        edit.save(update_fields=["changes", "status", "decided_at", "updated_at"])
    return None


@dataclass(frozen=True)
class EditResult:
    edit: PendingEdit
    obj: models.Model | None
    changed: bool


def _edit_decide(*, edit: PendingEdit, moderator, approve: bool, reason: str = "") -> EditResult:
    _check_moderator(moderator)
    content_type = ContentType(edit.content_type)
    model = model_for(content_type)
    with transaction.atomic():
        # The item first, then the edit: the order content_update locks them in.
        obj = model.objects.select_for_update().filter(pk=edit.object_id).first()
        locked = PendingEdit.objects.select_for_update().get(pk=edit.pk)
        if locked.status != EditStatus.PENDING or obj is None:
            return EditResult(edit=locked, obj=obj, changed=False)
        if approve:
            _edit_apply(content_type, obj, locked.changes)
        locked.status = EditStatus.APPROVED if approve else EditStatus.REJECTED
        locked.reason = reason
        locked.decided_by = moderator
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        action = ModerationAction.EDIT_APPROVE if approve else ModerationAction.EDIT_REJECT
        _edit_decision(locked, obj, action, moderator=moderator, reason=reason)
        _notify_owner(obj, content_type, action, reason, moderator)
    return EditResult(edit=locked, obj=obj, changed=True)


def _edit_apply(content_type, obj, changes: dict) -> None:
    """Write the approved text to the item; fields another app stores go through its writer."""
    for field, value in changes.items():
        writer = kinds.kind_field_writer(content_type.value, field)
        setattr(obj, field, writer(obj=obj, value=value) if writer else value)
    obj.save(update_fields=[*changes, "updated_at"])
    if obj.status == ModerationStatus.APPROVED:
        lexicon_add_content(obj)


def content_edit_approve(*, edit: PendingEdit, moderator) -> EditResult:
    """Apply a pending edit to its item and tell the owner. Deciding a decided edit (or one
    whose item is gone) changes nothing."""
    return _edit_decide(edit=edit, moderator=moderator, approve=True)


def content_edit_reject(*, edit: PendingEdit, moderator, reason: str) -> EditResult:
    """Discard a pending edit with a reason the owner is told; the item keeps its text."""
    reason = _clean_reason(reason)
    return _edit_decide(edit=edit, moderator=moderator, approve=False, reason=reason)


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
