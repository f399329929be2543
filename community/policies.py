"""Who may see and change community posts, comments and notifications."""

from django.db.models import Q, QuerySet

from accounts.policies import is_moderator
from cnt.models import ModerationStatus
from community.models import Comment, CommunityPost


def posts_visible_to(user, queryset: QuerySet[CommunityPost] | None = None):
    """Approved posts for everyone; authors also see their own; moderators see all."""
    queryset = CommunityPost.objects.all() if queryset is None else queryset
    if is_moderator(user):
        return queryset
    public = Q(status=ModerationStatus.APPROVED)
    if user is not None and user.is_authenticated:
        return queryset.filter(public | Q(author_id=user.id))
    return queryset.filter(public)


def can_view_post(user, post: CommunityPost) -> bool:
    return post.status == ModerationStatus.APPROVED or (
        user is not None
        and user.is_authenticated
        and (post.author_id == user.id or is_moderator(user))
    )


def can_edit_post(user, post: CommunityPost) -> bool:
    return user.is_authenticated and post.author_id == user.id


def can_delete_post(user, post: CommunityPost) -> bool:
    return user.is_authenticated and (post.author_id == user.id or is_moderator(user))


def comments_visible_to(user, queryset: QuerySet[Comment]):
    """Hidden (reported) comments are shown to their author and moderators only."""
    if is_moderator(user):
        return queryset
    if user is not None and user.is_authenticated:
        return queryset.filter(Q(is_hidden=False) | Q(author_id=user.id))
    return queryset.filter(is_hidden=False)


def can_edit_comment(user, comment: Comment) -> bool:
    return user.is_authenticated and comment.author_id == user.id and not comment.is_deleted


def can_delete_comment(user, comment: Comment) -> bool:
    return user.is_authenticated and (comment.author_id == user.id or is_moderator(user))
