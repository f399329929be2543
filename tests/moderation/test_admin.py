"""The moderation console in Django Admin: queue, actions, reject form, previews, read-only."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from catalog.models import ModerationDecision, Movie, Podcast
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification
from tests.factories import UserFactory
from tests.moderation.factories import AssetFactory, make

pytestmark = pytest.mark.django_db

ADMIN_NAMES = {
    "podcast": "catalog_podcast",
    "movie": "catalog_movie",
    "music": "catalog_musictrack",
    "bible_story": "bible_biblestory",
    "community_post": "community_communitypost",
}


def changelist(content_type: str) -> str:
    return reverse(f"admin:{ADMIN_NAMES[content_type]}_changelist")


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def test_index_shows_the_pending_queue(console):
    make("podcast")
    make("podcast")
    make("community_post")
    make("movie", status=ModerationStatus.APPROVED)

    response = console.get(reverse("admin:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="moderation-queue"' in html
    queue = {row["content_type"]: row["pending"] for row in response.context["queue"]}
    assert queue == {
        "podcast": 2,
        "movie": 0,
        "music": 0,
        "bible_story": 0,
        "community_post": 1,
        "reported_post": 0,
        "reported_comment": 0,
        "edits": 0,
    }
    assert f"{changelist('podcast')}?status__exact=pending" in html


def test_index_hides_the_queue_from_non_moderator_staff(client):
    # Staff count as moderators by policy, but without change rights there is nothing to show.
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert 'id="moderation-queue"' not in response.content.decode()


@pytest.mark.parametrize("content_type", list(ADMIN_NAMES))
def test_pending_queue_is_oldest_first(console, content_type):
    now = timezone.now()
    items = [make(content_type) for _ in range(3)]
    model = type(items[0])
    for age, item in zip((1, 3, 2), items, strict=True):
        model.objects.filter(pk=item.pk).update(created_at=now - timedelta(hours=age))
    make(content_type, status=ModerationStatus.APPROVED)

    response = console.get(changelist(content_type), {"status__exact": "pending"})

    assert response.status_code == 200
    listed = [obj.pk for obj in response.context["cl"].result_list]
    assert listed == [items[1].pk, items[2].pk, items[0].pk]


def test_bulk_approve(console, moderator):
    first, second = make("podcast"), make("podcast")
    untouched = make("podcast")

    response = console.post(
        changelist("podcast"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
        follow=True,
    )

    assert response.status_code == 200
    statuses = dict(Podcast.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "approved", untouched.pk: "pending"}
    assert ModerationDecision.objects.filter(action="approve", moderator=moderator).count() == 2
    assert Notification.objects.count() == 2
    assert "2 item(s) approved." in response.content.decode()


def test_bulk_reject_asks_for_a_reason_first(console):
    items = [make("music"), make("music")]
    data = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [obj.pk for obj in items]}

    form_page = console.post(changelist("music"), data)

    assert form_page.status_code == 200
    assert "admin/moderation/reject.html" in [t.name for t in form_page.templates]
    html = form_page.content.decode()
    assert 'name="reason"' in html
    assert 'name="post" value="yes"' in html
    assert all(obj.status == "pending" for obj in type(items[0]).objects.all())

    empty = console.post(changelist("music"), {**data, "post": "yes", "reason": "   "})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"]
    assert not ModerationDecision.objects.exists()

    done = console.post(
        changelist("music"), {**data, "post": "yes", "reason": "Copyrighted."}, follow=True
    )
    assert done.status_code == 200
    for obj in items:
        obj.refresh_from_db()
        assert (obj.status, obj.rejection_reason) == ("rejected", "Copyrighted.")
    assert ModerationDecision.objects.filter(action="reject", reason="Copyrighted.").count() == 2


@pytest.mark.parametrize("content_type", list(ADMIN_NAMES))
def test_single_approve_button(console, content_type):
    obj = make(content_type)
    url = reverse(f"admin:{ADMIN_NAMES[content_type]}_approve", args=[obj.pk])

    change_page = console.get(reverse(f"admin:{ADMIN_NAMES[content_type]}_change", args=[obj.pk]))
    assert change_page.status_code == 200
    assert url in change_page.content.decode()
    assert console.get(url).status_code == 405

    response = console.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"{changelist(content_type)}?status__exact=pending"
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.APPROVED


@pytest.mark.parametrize("content_type", list(ADMIN_NAMES))
def test_single_reject_page(console, content_type):
    obj = make(content_type, status=ModerationStatus.APPROVED)
    url = reverse(f"admin:{ADMIN_NAMES[content_type]}_reject", args=[obj.pk])

    form_page = console.get(url)
    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.content.decode()

    missing = console.post(url, {"reason": ""})
    assert missing.status_code == 200
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.APPROVED

    response = console.post(url, {"reason": "Misleading title."})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert (obj.status, obj.rejection_reason) == ("rejected", "Misleading title.")


def test_staff_without_change_rights_cannot_moderate(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    obj = make("podcast")

    approve = client.post(reverse("admin:catalog_podcast_approve", args=[obj.pk]))
    reject = client.post(reverse("admin:catalog_podcast_reject", args=[obj.pk]), {"reason": "x"})
    action = client.post(
        changelist("podcast"), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [obj.pk]}
    )

    assert approve.status_code == 403
    assert reject.status_code == 403
    assert action.status_code == 403
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists()


def test_status_is_read_only_on_the_change_form(console):
    obj = make("podcast", title="Original")
    url = reverse("admin:catalog_podcast_change", args=[obj.pk])
    page = console.get(url)
    assert "status" not in page.context["adminform"].form.fields

    response = console.post(
        url,
        {
            "title": "Edited",
            "description": "",
            "owner": obj.owner_id,
            "duration_seconds": 0,
            "tags": "[]",
            "status": "approved",
            "rejection_reason": "forged",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.title == "Edited"
    assert obj.status == ModerationStatus.PENDING
    assert obj.rejection_reason == ""


def test_change_page_previews_media_with_signed_urls_and_escapes_user_text(console, owner):
    cover = AssetFactory(kind="image", content_type="image/jpeg", output_prefix="")
    audio = AssetFactory(kind="audio", content_type="audio/mpeg")
    video = AssetFactory(kind="video", content_type="video/mp4", status="processing")
    obj = make(
        "podcast",
        owner=owner,
        title='<script>alert("t")</script>',
        thumbnail=cover,
        audio=audio,
        video=video,
    )

    response = console.get(reverse("admin:catalog_podcast_change", args=[obj.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<script>alert("t")</script>' not in html
    assert "&lt;script&gt;" in html
    assert f"/media/s/{cover.id}/" in html and "/original" in html
    assert "<audio controls" in html
    assert f"/media/s/{audio.id}/" in html and "hls/master.m3u8" in html
    assert "<video controls" in html
    assert "Processing status: Processing" in html  # not ready: original only, flagged


def test_community_post_preview_escapes_the_body(console):
    obj = make("community_post", body="<img src=x onerror=alert(1)>\nsecond line")

    response = console.get(reverse("admin:community_communitypost_change", args=[obj.pk]))

    html = response.content.decode()
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_change_page_shows_the_audit_trail(console, moderator):
    obj = make("movie")
    console.post(reverse("admin:catalog_movie_reject", args=[obj.pk]), {"reason": "<b>bad</b>"})

    html = console.get(reverse("admin:catalog_movie_change", args=[obj.pk])).content.decode()

    assert "moderation history" in html.lower()
    assert "&lt;b&gt;bad&lt;/b&gt;" in html
    assert moderator.username in html


def test_decision_audit_admin_is_read_only(client, superuser, moderator):
    obj = make("podcast")
    client.force_login(moderator)
    client.post(reverse("admin:catalog_podcast_approve", args=[obj.pk]))
    decision = ModerationDecision.objects.get()
    client.force_login(superuser)

    change = client.post(
        reverse("admin:catalog_moderationdecision_change", args=[decision.pk]), {"reason": "x"}
    )
    delete = client.post(
        reverse("admin:catalog_moderationdecision_delete", args=[decision.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert ModerationDecision.objects.get().reason == ""


def test_the_change_page_shows_the_transcript_beside_the_player(console):
    from media.models import CaptionTrack, Transcript

    item = make("podcast")
    asset = AssetFactory(kind="audio", owner=item.owner)
    Podcast.objects.filter(pk=item.pk).update(audio=asset)
    Transcript.objects.create(
        asset=asset,
        status="ready",
        language="en",
        caption_languages=["en"],
        paragraphs=[
            {"start": 2.0, "end": 9.0, "text": "Welcome, <b>church</b>."},
            {"start": 75.5, "end": 80.0, "text": "Let us pray."},
        ],
    )
    CaptionTrack.objects.create(asset=asset, language="en", source="generated", vtt="WEBVTT\n")

    response = console.get(reverse("admin:catalog_podcast_change", args=[item.pk]))

    html = response.content.decode()
    assert 'id="transcript"' in html
    assert "Transcript (en, generated from speech)" in html
    assert "00:02</span> Welcome, &lt;b&gt;church&lt;/b&gt;." in html
    assert "01:15</span> Let us pray." in html
    assert "<b>church</b>" not in html


def test_a_video_preview_carries_its_captions_track(console):
    from media.models import Transcript

    item = make("movie")
    asset = AssetFactory(kind="video", content_type="video/mp4", owner=item.owner)
    Movie.objects.filter(pk=item.pk).update(video=asset)
    Transcript.objects.create(asset=asset, status="ready", language="en", caption_languages=["en"])
    html = console.get(reverse("admin:catalog_movie_change", args=[item.pk])).content.decode()
    assert '<track kind="captions" src="/media/s/' in html
    assert '/hls/subtitles/en.vtt" srclang="en" label="English" default>' in html
