"""Reads for the community feed and comments."""

from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from catalog.models import ArtistFollower
from cnt import rows
from cnt.errors import NotFound
from cnt.models import ModerationStatus
from community import policies
from community.models import Comment, CommunityPost, Like
from media.models import MediaAsset


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


# --- a feed page in one statement (cnt/rows.py) ----------------------------------------------


class _FeedPlan:
    """A page of posts as _with_viewer loads them (author with avatar, image, category,
    is_liked), in one statement written once: the page's ids (the ORM's query of the
    feed, sliced) and their rows, related rows as JSON subselects."""

    def __init__(self):
        quote = rows.quote
        meta = CommunityPost._meta
        self.columns = rows.Columns(CommunityPost, "p")
        select = list(self.columns.sql)
        self.related = []
        nested = {"author": {"avatar": rows.JsonRow(MediaAsset)}}
        for name in ("author", "image", "category"):
            field = meta.get_field(name)
            related = rows.JsonRow(field.related_model, related=nested.get(name))
            where = f"r.{quote(field.target_field.column)} = p.{quote(field.column)}"
            select.append(related.subselect("r", where))
            self.related.append((field, related))
        liked = (
            f"EXISTS (SELECT 1 FROM {quote(Like._meta.db_table)} l"
            f" WHERE l.{quote(Like._meta.get_field('post').column)} = p.{quote(meta.pk.column)}"
            f" AND l.{quote(Like._meta.get_field('user').column)} = %s)"
        )
        pk = quote(meta.pk.column)
        head = "WITH page AS MATERIALIZED (SELECT ARRAY({ids}) AS ids) SELECT "
        tail = (
            f" FROM page CROSS JOIN {quote(meta.db_table)} p WHERE p.{pk} = ANY(page.ids)"
            f" ORDER BY array_position(page.ids, p.{pk})"
        )
        self.anonymous = head + ", ".join(select) + tail
        self.viewer = head + ", ".join([*select, liked]) + tail

    def load(self, page: QuerySet, user) -> list:
        ids = rows.ids_of(page)
        if ids is None:
            return []
        ids_sql, params = ids
        signed_in = user is not None and user.is_authenticated
        sql = (self.viewer if signed_in else self.anonymous).replace("{ids}", ids_sql, 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, user.id] if signed_in else params)
            fetched = cursor.fetchall()
        posts = []
        for row in fetched:
            post = self.columns.instance(row, connection.alias)
            n = len(self.columns)
            for i, (field, related) in enumerate(self.related):
                field.set_cached_value(post, related.instance(row[n + i], connection.alias))
            if signed_in:
                post.is_liked = row[n + len(self.related)]
            posts.append(post)
        return posts


@lru_cache(maxsize=1)
def _feed_plan() -> _FeedPlan:
    return _FeedPlan()


def post_page_source(*, queryset: QuerySet[CommunityPost], user):
    """What a paginator reads a feed from: `queryset` (post_list or post_following_feed)
    itself off PostgreSQL; else counted by it and a page loaded by the statement above."""
    if not rows.is_supported():
        return queryset
    return rows.Page(queryset, lambda page: _feed_plan().load(page, user))
