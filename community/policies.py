"""Who may see and change community posts, comments and notifications."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

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


def reporters_in_good_standing_q(prefix: str = "reporter__") -> Q:
    """Reporters whose reports count toward hiding a post or comment: active accounts with a
    verified email (COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL) that are at least
    COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS old; staff always count. A threshold of votes is
    only as strong as the cheapest account, so fresh throwaway sign-ups cannot hide a post."""
    standing = Q(**{f"{prefix}is_active": True})
    if settings.COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL:
        standing &= Q(**{f"{prefix}is_email_verified": True})
    min_age = timedelta(hours=settings.COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS)
    if min_age:
        standing &= Q(**{f"{prefix}date_joined__lte": timezone.now() - min_age})
    return standing | Q(**{f"{prefix}is_staff": True, f"{prefix}is_active": True})
