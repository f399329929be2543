"""Community posts, likes, comments and reports over the API."""

import pytest

from cnt.models import ModerationStatus
from cnt.notifications.models import Notification
from community.models import Comment, CommunityPost, Like, Report
from media.models import MediaAsset
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_post(author=None, **fields):
    fields.setdefault("status", ModerationStatus.APPROVED)
    return CommunityPost.objects.create(author=author or UserFactory(), body="Amen", **fields)


def test_create_list_and_read_posts(user_client, user, api_client):
    image = MediaAsset.objects.create(
        owner=user, kind="image", status="ready", storage_key="images/quotes/p.jpg"
    )
    response = user_client.post(
        "/api/v1/community/posts",
        {"content": "<b>Praise</b> report!", "post_type": "testimony", "image": str(image.id)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content"] == "<b>Praise</b> report!"  # stored and returned as text
    assert body["post_type"] == "testimony" and body["status"] == "approved"
    assert body["likes_count"] == 0 and body["comments_count"] == 0 and body["is_liked"] is False
    assert body["author"]["username"] == user.username
    assert "/media/s/" in body["image_url"]
    listing = api_client.get("/api/v1/community/posts").json()
    assert [item["id"] for item in listing["results"]] == [body["id"]]


def test_old_post_type_names_are_accepted(user_client):
    response = user_client.post(
        "/api/v1/community/posts", {"content": "pray", "post_type": "prayer"}, format="json"
    )
    assert response.json()["post_type"] == "prayer_request"


def test_bad_post_input_changes_nothing(user_client, user):
    other_image = MediaAsset.objects.create(
        owner=UserFactory(), kind="image", status="ready", storage_key="images/quotes/o.jpg"
    )
    for payload in (
        {"content": ""},
        {"content": "x" * 5001},
        {"content": "hi", "post_type": "sermon"},
        {"content": "hi", "image": str(other_image.id)},
        {"content": "hi", "image": "not-a-uuid"},
    ):
        response = user_client.post("/api/v1/community/posts", payload, format="json")
        assert response.status_code == 400, payload
    assert CommunityPost.objects.count() == 0


def test_posts_need_approval_when_the_setting_says_so(user_client, settings, api_client, user):
    settings.COMMUNITY_POSTS_REQUIRE_APPROVAL = True
    post_id = user_client.post("/api/v1/community/posts", {"content": "x"}, format="json").json()[
        "id"
    ]
    assert CommunityPost.objects.get(pk=post_id).status == "pending"
    assert api_client.get(f"/api/v1/community/posts/{post_id}").status_code == 404
    assert user_client.get(f"/api/v1/community/posts/{post_id}").status_code == 200
    moderator = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert moderator.get(f"/api/v1/community/posts/{post_id}").status_code == 200


def test_only_the_author_edits_and_author_or_moderator_deletes(user):
    post = make_post(author=user)
    stranger = client_for(UserFactory())
    response = stranger.patch(f"/api/v1/community/posts/{post.pk}", {"content": "hacked"})
    assert response.status_code == 403
    assert stranger.delete(f"/api/v1/community/posts/{post.pk}").status_code == 403
    post.refresh_from_db()
    assert post.body == "Amen"
    owner = client_for(user)
    response = owner.patch(
        f"/api/v1/community/posts/{post.pk}", {"content": "Edited"}, format="json"
    )
    assert response.status_code == 200 and response.json()["content"] == "Edited"
    moderator = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert moderator.delete(f"/api/v1/community/posts/{post.pk}").status_code == 204
    assert not CommunityPost.objects.filter(pk=post.pk).exists()
    assert client_for(UserFactory()).get("/api/v1/community/posts/999999").status_code == 404


def test_likes_are_idempotent_and_notify_the_author(user):
    post = make_post()
    client = client_for(user)
    first = client.post(f"/api/v1/community/posts/{post.pk}/like")
    again = client.post(f"/api/v1/community/posts/{post.pk}/like")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"likes_count": 1, "is_liked": True}
    assert client.get(f"/api/v1/community/posts/{post.pk}").json()["is_liked"] is True
    assert Notification.objects.filter(recipient=post.author, type="like").count() == 1
    assert client.delete(f"/api/v1/community/posts/{post.pk}/like").json() == {
        "likes_count": 0,
        "is_liked": False,
    }
    assert client.delete(f"/api/v1/community/posts/{post.pk}/like").status_code == 200
    post.refresh_from_db()
    assert post.likes_count == 0 and Like.objects.count() == 0


def test_liking_hidden_content_is_404(user_client, api_client):
    pending = make_post(status=ModerationStatus.PENDING)
    assert user_client.post(f"/api/v1/community/posts/{pending.pk}/like").status_code == 404
    assert api_client.post(f"/api/v1/community/posts/{pending.pk}/like").status_code == 401
    assert Like.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_likes_count_exactly():
    post = make_post()
    clients = [client_for(UserFactory()) for _ in range(25)]
    url = f"/api/v1/community/posts/{post.pk}/like"
    responses = run_concurrently([lambda c=c: c.post(url) for c in clients * 2])  # double taps
    results = [r.status_code for r in responses]
    assert sorted(set(results)) == [200, 201] and results.count(201) == 25
    post.refresh_from_db()
    assert post.likes_count == Like.objects.filter(post=post).count() == 25


def test_comments_replies_and_counters(user):
    post = make_post()
    client = client_for(user)
    top = client.post(f"/api/v1/community/posts/{post.pk}/comments", {"content": "Amen"}).json()
    replier = UserFactory()
    reply = client_for(replier).post(
        f"/api/v1/community/posts/{post.pk}/comments", {"content": "Yes!", "parent": top["id"]}
    )
    assert reply.status_code == 201 and reply.json()["parent"] == top["id"]
    nested = client_for(replier).post(
        f"/api/v1/community/posts/{post.pk}/comments",
        {"content": "deeper", "parent": reply.json()["id"]},
    )
    assert nested.json()["parent"] == top["id"]  # one level of replies
    listing = client.get(f"/api/v1/community/posts/{post.pk}/comments").json()
    assert [c["content"] for c in listing["results"]] == ["Amen"]
    assert [r["content"] for r in listing["results"][0]["replies"]] == ["Yes!", "deeper"]
    post.refresh_from_db()
    assert post.comments_count == 3
    assert Notification.objects.filter(recipient=user, type="reply").count() == 2
    assert Notification.objects.filter(recipient=post.author, type="comment").count() == 3

    assert client_for(replier).delete(f"/api/v1/community/comments/{top['id']}").status_code == 403
    assert client.delete(f"/api/v1/community/comments/{top['id']}").status_code == 204
    post.refresh_from_db()
    assert post.comments_count == 2
    listing = client.get(f"/api/v1/community/posts/{post.pk}/comments").json()
    assert listing["results"][0]["is_deleted"] is True and listing["results"][0]["content"] == ""


def test_comment_on_another_posts_comment_is_rejected(user_client):
    post, other = make_post(), make_post()
    foreign = Comment.objects.create(post=other, author=UserFactory(), body="x")
    response = user_client.post(
        f"/api/v1/community/posts/{post.pk}/comments", {"content": "hi", "parent": foreign.pk}
    )
    assert response.status_code == 400 and "parent" in response.json()["errors"]
    assert Comment.objects.filter(post=post).count() == 0


def test_reports_hide_a_post_after_the_threshold(settings, api_client):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 2
    post = make_post()
    first = client_for(UserFactory(established=True))
    assert (
        first.post(f"/api/v1/community/posts/{post.pk}/report", {"reason": "spam"}).status_code
        == 201
    )
    assert (
        first.post(f"/api/v1/community/posts/{post.pk}/report", {"reason": "spam"}).status_code
        == 200
    )
    post.refresh_from_db()
    assert post.status == "approved"
    client_for(UserFactory(established=True)).post(
        f"/api/v1/community/posts/{post.pk}/report", {"reason": "x"}
    )
    post.refresh_from_db()
    assert post.status == "pending" and Report.objects.count() == 2
    assert api_client.get(f"/api/v1/community/posts/{post.pk}").status_code == 404


def test_following_feed_shows_followed_creators(user):
    from catalog.models import Artist, ArtistFollower

    creator, stranger = UserFactory(), UserFactory()
    artist = Artist.objects.create(user=creator, name="Choir")
    ArtistFollower.objects.create(artist=artist, user=user)
    followed_post, _ = make_post(author=creator), make_post(author=stranger)
    feed = client_for(user).get("/api/v1/community/posts/following").json()
    assert [item["id"] for item in feed["results"]] == [followed_post.pk]


def test_feed_query_count_is_bounded(user, django_assert_max_num_queries):
    for _ in range(15):
        post = make_post()
        Like.objects.create(post=post, user=user)
    client = client_for(user)
    # user, moderator role (group + permissions), count, page: whatever the page size
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/community/posts?page_size=50")
    assert response.json()["count"] == 15
    assert all(item["is_liked"] for item in response.json()["results"])


def test_quote_posts_get_a_generated_quote_image(user_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            "/api/v1/community/posts",
            {"content": "Be still, and know that I am God. — Psalm 46:10", "post_type": "quote"},
            format="json",
        )
    post = CommunityPost.objects.get(pk=response.json()["id"])
    assert post.image is not None and post.image.storage_key.startswith("images/quotes/")
    assert (post.image.width, post.image.height) == (1080, 1080)
    from community.services import post_attach_quote_image

    assert post_attach_quote_image(post_id=post.pk) == "noop"


def test_moderators_resolve_reports_in_the_admin(client, admin_user, settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 1
    post = make_post()
    client_for(UserFactory(established=True)).post(
        f"/api/v1/community/posts/{post.pk}/report", {"reason": "x"}
    )
    post.refresh_from_db()
    assert post.status == "pending"
    report = Report.objects.get()
    client.force_login(admin_user)
    response = client.post(
        "/admin/community/report/",
        {"action": "dismiss_reports", "_selected_action": [report.pk]},
        follow=True,
    )
    assert response.status_code == 200
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.status == "dismissed" and report.resolved_by == admin_user
    assert post.status == "approved"


def test_follows_and_new_content_notify(user, django_capture_on_commit_callbacks):
    from catalog.models import Artist, ContentType, Podcast
    from catalog.moderation import content_approve
    from catalog.services import artist_follow

    creator = UserFactory()
    artist = Artist.objects.create(user=creator, name="Pastor James")
    created, _ = artist_follow(artist=artist, user=user)
    assert created
    follow = Notification.objects.get(recipient=creator)
    assert follow.type == "follow" and follow.actor == user
    podcast = Podcast.objects.create(owner=creator, artist=artist, title="Grace", status="pending")
    moderator = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        content_approve(content_type=ContentType.PODCAST, obj=podcast, moderator=moderator)
    news = Notification.objects.get(recipient=user, type="new_content")
    assert news.title == "New from Pastor James: Grace"
    assert news.data == {"content_type": "podcast", "id": podcast.pk}
    from catalog.services import content_notify_followers

    assert content_notify_followers(content_type="podcast", object_id=podcast.pk) == 0


def test_a_trusted_artists_new_content_reaches_followers_once(
    user, django_capture_on_commit_callbacks
):
    """Approved at once (no moderator involved), it is still news to the followers; going back
    to review and being approved again is not."""
    from catalog import moderation
    from catalog.models import Artist, ContentType, Podcast
    from catalog.services import artist_follow

    creator = UserFactory()
    artist = Artist.objects.create(user=creator, name="Grace Choir", is_trusted=True)
    artist_follow(artist=artist, user=user)
    podcast = Podcast.objects.create(owner=creator, artist=artist, title="Psalm 23")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.content_submit(content_type=ContentType.PODCAST, obj=podcast, trusted=True)
    podcast.refresh_from_db()
    assert podcast.status == "approved" and podcast.published_at is not None
    assert Notification.objects.filter(recipient=user, type="new_content").count() == 1

    moderator = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.content_hide(content_type=ContentType.PODCAST, obj=podcast, reporters=3)
        moderation.content_restore(
            content_type=ContentType.PODCAST, obj=podcast, moderator=moderator
        )
    assert Notification.objects.filter(recipient=user, type="new_content").count() == 1
