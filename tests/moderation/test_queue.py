"""The one moderation queue in the admin: every kind plus reported posts and comments, oldest
first, with previews, single and bulk decisions, the next-item flow and bounded queries."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from catalog.models import ModerationDecision, Movie, Podcast
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification
from community.models import Comment, CommunityPost, Report, ReportStatus
from tests.factories import UserFactory
from tests.moderation.conftest import MODERATED_MODELS
from tests.moderation.factories import AssetFactory, make

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/queue/"
DECIDE = "/admin/moderation/queue/decide/"


def staff_with(*perms: str):
    """A staff user holding exactly `perms` ("app_label.codename")."""
    user = UserFactory(is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


EVERYTHING = (
    *(f"{app}.{verb}_{model}" for app, model in MODERATED_MODELS for verb in ("view", "change")),
    "community.view_report",
    "community.change_report",
)


@pytest.fixture
def console(client):
    client.force_login(staff_with(*EVERYTHING))
    return client


def aged(obj, hours: float):
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    obj.refresh_from_db()
    return obj


def reported_post(*reasons, hours=1.0, status=ModerationStatus.APPROVED):
    post = make("community_post", status=status)
    for reason in reasons:
        report = Report.objects.create(reporter=UserFactory(), post=post, reason=reason)
        aged(report, hours)
    return post


def reported_comment(reason, hours=1.0):
    post = make("community_post", status=ModerationStatus.APPROVED)
    comment = Comment.objects.create(post=post, author=UserFactory(), body="Buy pills here")
    aged(Report.objects.create(reporter=UserFactory(), comment=comment, reason=reason), hours)
    return comment


def test_queue_lists_every_kind_and_the_reports_oldest_first(console):
    podcast = aged(make("podcast"), 5)
    movie = aged(make("movie"), 9)
    story = aged(make("bible_story"), 1)
    post = aged(make("community_post"), 3)
    hidden = aged(reported_post("Spam link", "Offensive", hours=7, status="pending"), 48)
    comment = reported_comment("Selling things", hours=2)
    make("music", status=ModerationStatus.APPROVED)  # not waiting

    response = console.get(QUEUE)

    assert response.status_code == 200
    listed = [item.key for item in response.context["items"]]
    assert listed == [
        f"movie:{movie.pk}",
        f"reported_post:{hidden.pk}",  # waiting since its first report, listed once
        f"podcast:{podcast.pk}",
        f"community_post:{post.pk}",
        f"reported_comment:{comment.pk}",
        f"bible_story:{story.pk}",
    ]
    waiting = {s.source.name: s.waiting for s in response.context["summaries"]}
    assert waiting == {
        "podcast": 1,
        "movie": 1,
        "music": 0,
        "bible_story": 1,
        "community_post": 1,
        "reported_post": 1,
        "reported_comment": 1,
    }
    reported = response.context["items"][1]
    assert (reported.report_count, set(reported.reports)) == (2, {"Spam link", "Offensive"})
    html = response.content.decode()
    assert 'id="queue-approve"' in html and ">Approve</button>" in html
    assert 'name="reason"' in html and ">Reject</button>" in html
    assert response.context["current"].key == f"movie:{movie.pk}"


def test_current_item_shows_its_player_and_reports(console):
    audio = AssetFactory()
    podcast = make("podcast", audio=audio)
    response = console.get(QUEUE, {"item": f"podcast:{podcast.pk}"})
    html = response.content.decode()
    assert response.context["current"].key == f"podcast:{podcast.pk}"
    assert "<audio controls" in html
    assert f"/media/s/{audio.id}/" in html  # signed playback URL only

    post = reported_post("Hateful words", hours=400)
    html = console.get(QUEUE, {"item": f"reported_post:{post.pk}"}).content.decode()
    assert 'id="queue-reports"' in html and "Hateful words" in html
    assert "1 open report" in html


def test_user_text_is_escaped(console):
    make("podcast", title="<script>alert(1)</script>")
    html = console.get(QUEUE).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_queue_queries_do_not_grow_with_items(console, django_assert_max_num_queries):
    def fill():
        for kind in ("podcast", "movie", "music", "bible_story", "community_post"):
            make(kind, audio=AssetFactory()) if kind == "podcast" else make(kind)
        reported_post("spam")
        reported_comment("spam")

    fill()
    with django_assert_max_num_queries(30) as few:
        assert console.get(QUEUE).status_code == 200
    for _ in range(4):
        fill()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(console.get(QUEUE).context["items"]) == 35


def test_approve_opens_the_next_item_and_logs_it(console):
    first, second = aged(make("podcast"), 3), aged(make("movie"), 2)

    response = console.post(
        DECIDE,
        {"item": f"podcast:{first.pk}", "decision": "approve", "next": f"movie:{second.pk}"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?item=movie%3A{second.pk}"
    first.refresh_from_db()
    assert first.status == ModerationStatus.APPROVED
    assert ModerationDecision.objects.filter(object_id=first.pk, action="approve").count() == 1
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (
        str(first.pk),
        "Approved.",
    )
    assert Notification.objects.filter(recipient=first.owner).count() == 1
    page = console.get(response["Location"])
    assert page.context["current"].key == f"movie:{second.pk}"
    assert "1 item(s) approved." in page.content.decode()


def test_reject_needs_a_reason_and_tells_the_owner(console):
    podcast = make("podcast")
    empty = console.post(
        DECIDE, {"item": f"podcast:{podcast.pk}", "decision": "reject", "reason": "  "}
    )
    assert empty.status_code == 302
    podcast.refresh_from_db()
    assert podcast.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists() and not LogEntry.objects.exists()
    assert "A reason is required" in console.get(empty["Location"]).content.decode()

    console.post(
        DECIDE, {"item": f"podcast:{podcast.pk}", "decision": "reject", "reason": "Off topic."}
    )
    podcast.refresh_from_db()
    assert (podcast.status, podcast.rejection_reason) == ("rejected", "Off topic.")
    assert LogEntry.objects.get().get_change_message() == "Rejected: Off topic."


def test_bulk_decisions_across_kinds(console):
    podcast, movie, story = make("podcast"), make("movie"), make("bible_story")
    post = reported_post("spam")
    keep = make("music")

    console.post(
        DECIDE,
        {
            "selected": [f"podcast:{podcast.pk}", f"reported_post:{post.pk}"],
            "decision": "reject",
            "reason": "Not for this platform.",
        },
    )
    console.post(
        DECIDE,
        {"selected": [f"movie:{movie.pk}", f"bible_story:{story.pk}"], "decision": "approve"},
    )

    for obj in (podcast, movie, story, post, keep):
        obj.refresh_from_db()
    assert (podcast.status, podcast.rejection_reason) == ("rejected", "Not for this platform.")
    assert (post.status, post.rejection_reason) == ("rejected", "Not for this platform.")
    assert Report.objects.get(post=post).status == ReportStatus.UPHELD
    assert (movie.status, story.status, keep.status) == ("approved", "approved", "pending")
    # One entry per decision, and the upheld report's own beside its post's rejection.
    assert LogEntry.objects.count() == 5


def test_approving_a_reported_post_dismisses_its_reports(console):
    post = reported_post("spam", "spam again", status=ModerationStatus.PENDING)
    console.post(DECIDE, {"item": f"reported_post:{post.pk}", "decision": "approve"})
    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DISMISSED}
    assert console.get(QUEUE).context["items"] == []


def test_rejecting_a_reported_comment_hides_it(console):
    comment = reported_comment("Selling things")
    console.post(
        DECIDE, {"item": f"reported_comment:{comment.pk}", "decision": "reject", "reason": "Spam"}
    )
    comment.refresh_from_db()
    assert comment.is_hidden
    assert Report.objects.get().status == ReportStatus.UPHELD


def test_deciding_twice_changes_nothing(console):
    podcast = make("podcast")
    console.post(DECIDE, {"item": f"podcast:{podcast.pk}", "decision": "approve"})
    again = console.post(DECIDE, {"item": f"podcast:{podcast.pk}", "decision": "approve"})
    assert "already decided" in console.get(again["Location"]).content.decode()
    assert ModerationDecision.objects.count() == 1 and LogEntry.objects.count() == 1


def test_permissions_limit_what_a_staff_user_sees_and_decides(client):
    podcast, movie = make("podcast"), make("movie")
    make("community_post")
    reported_post("spam")
    client.force_login(staff_with("catalog.view_podcast", "catalog.change_podcast"))

    page = client.get(QUEUE)
    assert [item.key for item in page.context["items"]] == [f"podcast:{podcast.pk}"]
    assert [s.source.name for s in page.context["summaries"]] == ["podcast"]

    client.post(DECIDE, {"item": f"movie:{movie.pk}", "decision": "approve"})
    client.post(DECIDE, {"selected": [f"movie:{movie.pk}"], "decision": "reject", "reason": "x"})
    movie.refresh_from_db()
    assert movie.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists()


@pytest.mark.parametrize("user_kwargs", [{"is_staff": True}, {"is_staff": False}])
def test_no_queue_without_moderation_rights(client, user_kwargs):
    podcast = make("podcast")
    client.force_login(UserFactory(**user_kwargs))
    page = client.get(QUEUE)
    decided = client.post(DECIDE, {"item": f"podcast:{podcast.pk}", "decision": "approve"})
    if user_kwargs["is_staff"]:
        assert (page.status_code, decided.status_code) == (403, 403)
    else:  # the admin sends non-staff to its login page
        assert page.status_code == decided.status_code == 302
        assert "/admin/login/" in page["Location"]
    podcast.refresh_from_db()
    assert podcast.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists()


def test_decide_refuses_get_and_junk_keys(console):
    podcast = make("podcast")
    assert console.get(DECIDE).status_code == 405
    for junk in ("podcast", "nosuch:1", "podcast:abc", f"podcast:{podcast.pk + 999}"):
        response = console.post(DECIDE, {"item": junk, "decision": "approve"})
        assert response.status_code == 302
    podcast.refresh_from_db()
    assert podcast.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists()


def test_index_counts_every_source(console):
    make("podcast")
    reported_post("spam")
    reported_comment("spam")
    response = console.get(reverse("admin:index"))
    queue = {row["content_type"]: row["pending"] for row in response.context["queue"]}
    assert queue == {
        "podcast": 1,
        "movie": 0,
        "music": 0,
        "bible_story": 0,
        "community_post": 0,
        "reported_post": 1,
        "reported_comment": 1,
        "edits": 0,
    }
    html = response.content.decode()
    assert 'id="open-moderation-queue"' in html
    assert f"{QUEUE}?source=reported_post" in html


def test_community_posts_list_shows_open_report_counts(console, django_assert_max_num_queries):
    posts = [reported_post("a", "b"), reported_post("c"), make("community_post")]
    Report.objects.filter(post=posts[1]).update(status=ReportStatus.DISMISSED)
    url = reverse("admin:community_communitypost_changelist")
    with django_assert_max_num_queries(12):
        response = console.get(url)
    counts = {obj.pk: obj.open_reports for obj in response.context["cl"].result_list}
    assert counts == {posts[0].pk: 2, posts[1].pk: 0, posts[2].pk: 0}
    assert "open reports" in response.content.decode().lower()


def test_movies_in_the_queue_are_the_changelists_too(console):
    # The kind's own changelist keeps working beside the queue.
    movie = make("movie")
    response = console.get(reverse("admin:catalog_movie_changelist"), {"status__exact": "pending"})
    assert [obj.pk for obj in response.context["cl"].result_list] == [movie.pk]
    assert Movie.objects.count() == 1 and Podcast.objects.count() == 0
    assert CommunityPost.objects.count() == 0


def test_the_moderators_group_works_the_whole_queue(client):
    from catalog.moderators import moderators_group_sync

    member = UserFactory(is_staff=True)
    member.groups.add(moderators_group_sync())
    post = reported_post("spam")
    podcast = make("podcast")
    client.force_login(member)
    listed = {item.key for item in client.get(QUEUE).context["items"]}
    assert listed == {f"podcast:{podcast.pk}", f"reported_post:{post.pk}"}


def test_rows_name_their_type(console):
    make("podcast")
    reported_comment("spam")
    html = console.get(QUEUE).content.decode()
    assert "<td>Podcast</td>" in html and "<td>Reported comment</td>" in html
