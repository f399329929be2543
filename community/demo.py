"""Demo feed: approved posts by listeners and creators, with likes, a comment each and the
notification of that comment."""

from accounts.demo import CREATORS, LISTENERS
from catalog.demo import demo_moderate
from cnt.notifications.models import Notification, NotificationType
from community.models import Comment, CommunityPost, Like, Report

# A post two listeners reported (it waits in the moderation queue), and a reported comment.
REPORTED_POST = "Send me your bank details and God will double your money!"
REPORTED_COMMENT = "Buy cheap followers at spam.example"
PENDING_POST = "Is anyone driving to the conference from the north side?"

POSTS = [
    ("testimony", "God provided a job the week our savings ran out. Never stop praying!"),
    ("prayer_request", "Please pray for my mother's surgery on Thursday."),
    ("quote", "Be still, and know that I am God. — Psalm 46:10"),
    ("general", "Who is coming to the youth retreat next month?"),
    ("general", "The choir's new album made my commute a worship service."),
]


def _seed_reports(context, listeners) -> None:
    spammer, reporters = listeners[-1], listeners[:2]
    post, created = context.get_or_create(
        CommunityPost, author=spammer, body=REPORTED_POST, defaults={"post_type": "general"}
    )
    if created:
        demo_moderate(context, post)
    for reporter in reporters:
        if reporter != spammer:
            context.get_or_create(
                Report, reporter=reporter, post=post, defaults={"reason": "Scam: asks for money."}
            )
    target = CommunityPost.objects.filter(body=POSTS[0][1]).first()
    if target is not None:
        comment, created = context.get_or_create(
            Comment, post=target, author=spammer, body=REPORTED_COMMENT
        )
        if created:
            target.comments_count = target.comments.count()
            target.save(update_fields=["comments_count"])
        context.get_or_create(
            Report, reporter=reporters[0], comment=comment, defaults={"reason": "Spam link."}
        )
    post, created = context.get_or_create(
        CommunityPost, author=listeners[0], body=PENDING_POST, defaults={"post_type": "general"}
    )
    if created:
        demo_moderate(context, post, waiting=True)


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
    _seed_reports(context, listeners)
