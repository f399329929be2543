"""Demo feed: approved posts by listeners and creators, with likes, a comment each and the
notification of that comment."""

from accounts.demo import CREATORS, LISTENERS
from catalog.demo import demo_moderate
from cnt.notifications.models import Notification, NotificationType
from community.models import Comment, CommunityPost, Like

POSTS = [
    ("testimony", "God provided a job the week our savings ran out. Never stop praying!"),
    ("prayer_request", "Please pray for my mother's surgery on Thursday."),
    ("quote", "Be still, and know that I am God. — Psalm 46:10"),
    ("general", "Who is coming to the youth retreat next month?"),
    ("general", "The choir's new album made my commute a worship service."),
]


def seed(context) -> None:
    listeners = [context.users[username] for username in LISTENERS]
    authors = [*listeners, *(context.users[username] for username, _, _ in CREATORS)]
    for index, (post_type, body) in enumerate(POSTS):
        author = authors[index % len(authors)]
        post, created = context.get_or_create(
            CommunityPost,
            author=author,
            body=body,
            defaults={
                "post_type": post_type,
                "category": context.categories["testimonies"],
            },
        )
        if not created:
            continue
        demo_moderate(context, post)
        for fan in listeners:
            if fan != author:
                context.get_or_create(Like, post=post, user=fan)
        commenter = next(fan for fan in listeners if fan != author)
        context.get_or_create(Comment, post=post, author=commenter, body="Amen! 🙏")
        post.likes_count = post.likes.count()
        post.comments_count = post.comments.count()
        post.save(update_fields=["likes_count", "comments_count"])
        context.get_or_create(
            Notification,
            recipient=author,
            type=NotificationType.COMMENT,
            title=f"{commenter.display_name} commented on your post",
            defaults={"actor": commenter, "data": {"post_id": post.id}},
        )
