"""Reads for the community feed and comments."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from catalog.models import ArtistFollower
from cnt.errors import NotFound
from cnt.models import ModerationStatus
from community import policies
from community.models import Comment, CommunityPost, Like


def _with_viewer(queryset: QuerySet[CommunityPost], user) -> QuerySet[CommunityPost]:
    queryset = queryset.select_related("author", "author__avatar", "image", "category")
    if user is not None and user.is_authenticated:
        liked = Like.objects.filter(post_id=OuterRef("pk"), user_id=user.id)
        return queryset.annotate(is_liked=Exists(liked))
    return queryset


def post_list(*, user, post_type: str | None = None, author: str | None = None):
    """The feed: visible posts, newest first."""
    queryset = policies.posts_visible_to(user).order_by("-created_at", "-id")
    if post_type:
        queryset = queryset.filter(post_type=post_type)
    if author:
        queryset = queryset.filter(author__username__iexact=author)
    return _with_viewer(queryset, user)


def post_following_feed(*, user):
    """Approved posts by the creators the user follows, newest first."""
    followed = ArtistFollower.objects.filter(user_id=user.id).values("artist__user_id")
    queryset = CommunityPost.objects.filter(
        status=ModerationStatus.APPROVED, author_id__in=followed
    ).order_by("-created_at", "-id")
    return _with_viewer(queryset, user)


def post_get_for_user(*, user, post_id) -> CommunityPost:
    """Fetch and authorize in one call; hidden posts are simply "not found"."""
    post = _with_viewer(CommunityPost.objects.filter(pk=post_id), user).first()
    if post is None or not policies.can_view_post(user, post):
        raise NotFound()
    return post


def comment_list(*, user, post: CommunityPost):
    """Top-level comments, oldest first, each with its visible replies."""
    visible = policies.comments_visible_to(user, Comment.objects.all())
    replies = visible.select_related("author", "author__avatar").order_by("created_at", "id")
    return (
        visible.filter(post=post, parent__isnull=True)
        .select_related("author", "author__avatar")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("created_at", "id")
    )


def comment_get_for_user(*, user, comment_id) -> Comment:
    comment = Comment.objects.select_related("post", "author").filter(pk=comment_id).first()
    if (
        comment is None
        or not policies.can_view_post(user, comment.post)
        or not policies.comments_visible_to(user, Comment.objects.filter(pk=comment.pk)).exists()
    ):
        raise NotFound()
    return comment
