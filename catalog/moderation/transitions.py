"""The status transitions of moderated content, and the helpers every decision shares
(see catalog/moderation/__init__.py)."""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts.policies import is_moderator
from catalog import kinds
from catalog.lexicon import lexicon_add_content
from catalog.models import (
    ContentType,
    ModerationAction,
    ModerationDecision,
)
from cnt.audit import admin_log_write
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create

REASON_MAX_LENGTH = 2000

_ANY = frozenset(ModerationStatus.values)
_REVIEWED = frozenset({ModerationStatus.APPROVED, ModerationStatus.REJECTED})
# The statuses a moderator's approval or rejection moves content from.
_APPROVABLE = _ANY - {ModerationStatus.APPROVED}
_REJECTABLE = _ANY - {ModerationStatus.REJECTED}


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


# How a moderator's decision reads in Django Admin's Recent actions and History.
_LOG_VERBS = {
    ModerationAction.APPROVE: "Approved",
    ModerationAction.REJECT: "Rejected",
    ModerationAction.RESTORE: "Restored (public again)",
    ModerationAction.EDIT_APPROVE: "Approved the edit of",
    ModerationAction.EDIT_REJECT: "Rejected the edit of",
}


def decision_log(*, moderator, obj, action, reason: str = "", fields=()) -> None:
    """A moderator's decision on `obj`, in the admin's action log (cnt.audit); every
    decision service calls this, so the admin and the REST endpoints are logged alike."""
    if moderator is None:
        return
    verb = _LOG_VERBS.get(action, ModerationAction(action).label)
    if fields:
        verb = f"{verb} {', '.join(fields)}"
    admin_log_write(user=moderator, obj=obj, message=f"{verb}: {reason}" if reason else f"{verb}.")


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
    decision_log(moderator=moderator, obj=obj, action=action, reason=reason)
    _notify_owner(obj, content_type, action, reason, moderator)
    if first_publication and getattr(obj, "artist_id", None):
        from catalog.tasks import notify_followers_of_new_content

        args = (content_type.value, obj.pk)
        transaction.on_commit(lambda: notify_followers_of_new_content.delay(*args))
    return decision


_lowered = lazy(lambda text: str(text).lower(), str)


def _notify_owner(obj, content_type, action, reason, moderator) -> None:
    """The owner hears of what others decided; submitting and editing are their own acts."""
    recipient_id = owner_id_of(obj)
    # Written in the owner's language when the notification is stored (format_lazy).
    label = _lowered(gettext_lazy(content_type.label))
    name = display_title(obj)

    def text(template):
        return format_lazy(template, label=label, name=name)

    messages = {
        ModerationAction.APPROVE: (
            NotificationType.CONTENT_APPROVED,
            text(gettext_lazy("Your {label} “{name}” is now public")),
            "",
        ),
        ModerationAction.REJECT: (
            NotificationType.CONTENT_REJECTED,
            text(gettext_lazy("Your {label} “{name}” was not approved")),
            reason,
        ),
        ModerationAction.HIDE: (
            NotificationType.SYSTEM,
            text(gettext_lazy("Your {label} “{name}” is hidden until a moderator reviews it")),
            reason,
        ),
        ModerationAction.RESTORE: (
            NotificationType.CONTENT_APPROVED,
            text(gettext_lazy("Your {label} “{name}” is public again")),
            "",
        ),
        ModerationAction.EDIT_APPROVE: (
            NotificationType.CONTENT_APPROVED,
            text(gettext_lazy("Your changes to your {label} “{name}” are now public")),
            "",
        ),
        ModerationAction.EDIT_REJECT: (
            NotificationType.CONTENT_REJECTED,
            text(gettext_lazy("Your changes to your {label} “{name}” were not approved")),
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
        sources=_APPROVABLE,
        moderator=moderator,
    )


def content_decisions_open(obj) -> dict[str, bool]:
    """Which moderator decisions would change `obj` now (the console offers only these)."""
    return {"approve": obj.status in _APPROVABLE, "reject": obj.status in _REJECTABLE}


def content_reject(*, content_type, obj, moderator, reason: str) -> ModerationResult:
    """Hide `obj` with a reason the owner is told. Rejecting rejected content is a no-op."""
    reason = _clean_reason(reason)
    _check_moderator(moderator)
    return _transition(
        content_type=content_type,
        obj=obj,
        action=ModerationAction.REJECT,
        target=ModerationStatus.REJECTED,
        sources=_REJECTABLE,
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
