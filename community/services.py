"""Writes for the community: posts, comments, likes, reports.

Counters are kept exact by locking the post row for every change that moves them, so
concurrent likes by many users (or a double tap) serialize on that row.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_moderator
from catalog import moderation
from catalog.models import ContentType
from cnt.audit import admin_log_write
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create
from community import policies
from community.models import (
    Comment,
    CommunityPost,
    Like,
    PostType,
    Report,
    ReportStatus,
)
from media.models import AssetKind, MediaAsset
from media.selectors import AssetWording, asset_get_usable_for_owner

# A post's image: one answer for every reason it cannot be used.
_UNKNOWN_IMAGE = "Unknown image, or not one of your uploads."
IMAGE_WORDING = AssetWording(
    not_found=_UNKNOWN_IMAGE,
    wrong_kind=_UNKNOWN_IMAGE,
    failed=_UNKNOWN_IMAGE,
    not_ready=_UNKNOWN_IMAGE,
)


def _image_for(*, user, image_id) -> MediaAsset | None:
    if image_id is None:
        return None
    return asset_get_usable_for_owner(
        user=user, asset_id=image_id, kinds=(AssetKind.IMAGE,), field="image", wording=IMAGE_WORDING
    )


def _skips_review(user) -> bool:
    """Posts need no review unless the settings ask for it; trusted artists' never do."""
    if not settings.COMMUNITY_POSTS_REQUIRE_APPROVAL:
        return True
    artist = getattr(user, "artist", None)
    return artist is not None and artist.is_trusted


@transaction.atomic
def post_create(*, author, content: str, post_type: str = PostType.GENERAL, image_id=None):
    """Publish a post (approved at once unless the settings ask for review). A quote post
    without an image gets a generated quote image after commit."""
    image = _image_for(user=author, image_id=image_id)
    post = CommunityPost.objects.create(
        author=author, body=content, post_type=post_type, image=image
    )
    moderation.content_submit(
        content_type=ContentType.COMMUNITY_POST, obj=post, trusted=_skips_review(author)
    )
    if post_type == PostType.QUOTE and image is None:
        from community.tasks import render_quote_image

        post_id = post.pk
        transaction.on_commit(lambda: render_quote_image.delay(post_id))
    return post


def _split_quote(content: str) -> tuple[str, str]:
    """ "Be still… — Psalm 46:10" -> ("Be still…", "Psalm 46:10")."""
    text, dash, attribution = content.rpartition("—")
    if dash and text.strip() and 0 < len(attribution.strip()) <= 120:
        return text.strip(), attribution.strip()
    return content.strip(), ""


def post_attach_quote_image(*, post_id) -> str:
    """Render the quote image of a quote post that has none; a second run does nothing."""
    from media.editing.quotes import quote_image_create

    post = CommunityPost.objects.filter(
        pk=post_id, post_type=PostType.QUOTE, image__isnull=True
    ).first()
    if post is None:
        return "noop"
    text, attribution = _split_quote(post.body)
    if len(text) > 500:
        text = text[:499].rstrip() + "…"
    asset = quote_image_create(owner=post.author, text=text, attribution=attribution)
    updated = CommunityPost.objects.filter(pk=post.pk, image__isnull=True).update(image=asset)
    return "attached" if updated else "noop"


@transaction.atomic
def post_update(*, post: CommunityPost, user, **fields) -> CommunityPost:
    """Edit a post's text, type or image; edits of reviewed posts go back to review when
    the settings require approval."""
    if "content" in fields:
        post.body = fields["content"]
    if "post_type" in fields:
        post.post_type = fields["post_type"]
    if "image_id" in fields:
        post.image = _image_for(user=user, image_id=fields["image_id"])
    post.save()
    if settings.COMMUNITY_POSTS_REQUIRE_APPROVAL and post.status == ModerationStatus.APPROVED:
        moderation.content_return_to_review(
            content_type=ContentType.COMMUNITY_POST, obj=post, trusted=_skips_review(user)
        )
    return post


def post_delete(*, post: CommunityPost) -> None:
    post.delete()


def _locked_post(post_id) -> CommunityPost:
    return CommunityPost.objects.select_for_update().get(pk=post_id)


def post_like(*, post: CommunityPost, user) -> tuple[CommunityPost, bool]:
    """Like once; a repeated like changes nothing. Returns (post, created)."""
    with transaction.atomic():
        locked = _locked_post(post.pk)
        if Like.objects.filter(post=locked, user=user).exists():
            return locked, False
        Like.objects.create(post=locked, user=user)
        CommunityPost.objects.filter(pk=locked.pk).update(likes_count=F("likes_count") + 1)
        locked.refresh_from_db(fields=["likes_count"])
        if locked.author_id != user.id:
            notification_create(
                recipient=locked.author_id,
                actor=user,
                type=NotificationType.LIKE,
                title=format_lazy(_("{name} liked your post"), name=user.get_full_name()),
                data={"post_id": locked.pk},
            )
    return locked, True


def post_unlike(*, post: CommunityPost, user) -> CommunityPost:
    """Remove a like if there is one; unliking twice is fine."""
    with transaction.atomic():
        locked = _locked_post(post.pk)
        deleted, _ = Like.objects.filter(post=locked, user=user).delete()
        if deleted:
            CommunityPost.objects.filter(pk=locked.pk).update(likes_count=F("likes_count") - 1)
            locked.refresh_from_db(fields=["likes_count"])
    return locked


def comment_create(*, post: CommunityPost, author, content: str, parent_id=None) -> Comment:
    """Comment on a post, or reply to a top-level comment (one level of replies)."""
    with transaction.atomic():
        locked = _locked_post(post.pk)
        parent = None
        if parent_id is not None:
            parent = Comment.objects.filter(
                pk=parent_id, post=locked, is_deleted=False, is_hidden=False
            ).first()
            if parent is None:
                raise InvalidInput(errors={"parent": ["Unknown comment on this post."]})
            if parent.parent_id is not None:
                parent = parent.parent  # replies to a reply join its thread
        comment = Comment.objects.create(post=locked, author=author, parent=parent, body=content)
        CommunityPost.objects.filter(pk=locked.pk).update(comments_count=F("comments_count") + 1)
        notified = set()
        if parent is not None and parent.author_id != author.id:
            notification_create(
                recipient=parent.author_id,
                actor=author,
                type=NotificationType.REPLY,
                title=format_lazy(_("{name} replied to your comment"), name=author.get_full_name()),
                message=content[:200],
                data={"post_id": locked.pk, "comment_id": comment.pk},
            )
            notified.add(parent.author_id)
        if locked.author_id != author.id and locked.author_id not in notified:
            notification_create(
                recipient=locked.author_id,
                actor=author,
                type=NotificationType.COMMENT,
                title=format_lazy(_("{name} commented on your post"), name=author.get_full_name()),
                message=content[:200],
                data={"post_id": locked.pk, "comment_id": comment.pk},
            )
    return comment


def comment_update(*, comment: Comment, content: str) -> Comment:
    comment.body = content
    comment.save(update_fields=["body", "updated_at"])
    return comment


def comment_delete(*, comment: Comment) -> None:
    """Delete a comment (by its author or a moderator). A comment with replies keeps its
    place in the thread as "[deleted]"; counters count live comments only."""
    with transaction.atomic():
        locked_post = _locked_post(comment.post_id)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.is_deleted:
            return
        removed = 1
        if comment.parent_id is None and comment.replies.exists():
            comment.is_deleted = True
            comment.body = ""
            comment.save(update_fields=["is_deleted", "body", "updated_at"])
        else:
            comment.delete()
        CommunityPost.objects.filter(pk=locked_post.pk).update(
            comments_count=F("comments_count") - removed
        )


def _hide_threshold() -> int:
    return settings.COMMUNITY_REPORT_HIDE_THRESHOLD


def report_create(*, reporter, reason: str, post=None, comment=None) -> tuple[Report, bool]:
    """Report a post or comment once per user; enough distinct reporters in good standing
    (community/policies.py) hide it until a moderator reviews it. Every report is kept and
    shown to moderators, whoever made it. Returns (report, created)."""
    target = {"post": post} if post is not None else {"comment": comment}
    with transaction.atomic():
        existing = Report.objects.filter(reporter=reporter, **target).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                report = Report.objects.create(reporter=reporter, reason=reason, **target)
        except IntegrityError:  # a concurrent double submit
            return Report.objects.get(reporter=reporter, **target), False
        counted = Report.objects.filter(status=ReportStatus.OPEN, **target).filter(
            policies.reporters_in_good_standing_q()
        )
        reporters = counted.values("reporter").distinct().count()
        if reporters >= _hide_threshold():
            if post is not None:
                moderation.content_hide(
                    content_type=ContentType.COMMUNITY_POST, obj=post, reporters=reporters
                )
            else:
                Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    return report, True


@transaction.atomic
def report_resolve(*, report: Report, moderator, uphold: bool, reason: str = "") -> Report:
    """Close a report and every open report of its target: upheld rejects a post (the
    author is told `reason`, or the report's own) or hides a comment, dismissed restores
    it. Moderators only; anyone else changes nothing."""
    if not is_moderator(moderator):
        raise Forbidden("Moderators only.")
    targets = Report.objects.filter(status=ReportStatus.OPEN)
    targets = (
        targets.filter(post_id=report.post_id)
        if report.post_id
        else targets.filter(comment_id=report.comment_id)
    )
    status = ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED
    resolved = targets.update(status=status, resolved_by=moderator, resolved_at=timezone.now())
    verdict = "Upheld" if uphold else "Dismissed"
    admin_log_write(
        user=moderator,
        obj=report,
        message=f"{verdict} {resolved} report{'s' if resolved != 1 else ''}: {report.reason}",
    )
    if report.post_id:
        post = CommunityPost.objects.get(pk=report.post_id)
        if uphold:
            moderation.content_reject(
                content_type=ContentType.COMMUNITY_POST,
                obj=post,
                moderator=moderator,
                reason=(reason or f"Removed after reports: {report.reason}")[
                    : moderation.REASON_MAX_LENGTH
                ],
            )
        else:
            moderation.content_restore(
                content_type=ContentType.COMMUNITY_POST, obj=post, moderator=moderator
            )
    else:
        Comment.objects.filter(pk=report.comment_id).update(is_hidden=uphold)
    report.refresh_from_db()
    return report
