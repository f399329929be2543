"""Edits of approved content's public text that wait for a moderator
(see catalog/moderation/__init__.py)."""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from catalog import kinds
from catalog.lexicon import lexicon_add_content
from catalog.models import (
    ContentType,
    EditStatus,
    ModerationAction,
    ModerationDecision,
    PendingEdit,
)
from catalog.moderation.transitions import (
    _check_moderator,
    _clean_reason,
    _notify_owner,
    decision_log,
    model_for,
)
from cnt.models import ModerationStatus

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
    allowed = set(kinds.kind_reviewed_fields(kinds.kind_get(content_type)))
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
        decision_log(
            moderator=moderator, obj=obj, action=action, reason=reason, fields=list(locked.changes)
        )
        _notify_owner(obj, content_type, action, reason, moderator)
    return EditResult(edit=locked, obj=obj, changed=True)


def _edit_apply(content_type, obj, changes: dict) -> None:
    """Write the approved text to the item; fields another app stores go through its writer,
    and a field that is no column of the item (the outline) only through it."""
    columns = {field.name for field in obj._meta.concrete_fields}
    for field, value in changes.items():
        writer = kinds.kind_field_writer(content_type.value, field)
        stored = writer(obj=obj, value=value) if writer else value
        if field in columns:
            setattr(obj, field, stored)
    obj.save(update_fields=[*(f for f in changes if f in columns), "updated_at"])
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
