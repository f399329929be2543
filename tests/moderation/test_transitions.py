"""Every status change goes through catalog.moderation: submit, approve, reject, back to
review, hide after reports, restore. Each writes one decision; a repeat writes nothing."""

from functools import partial

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from bible import services as bible_services
from catalog import kinds, moderation
from catalog import services as catalog_services
from catalog.models import Artist, ModerationAction, ModerationDecision, Podcast
from cnt.errors import Forbidden
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification, NotificationType
from community import services as community_services
from community.models import CommunityPost, Report, ReportStatus
from media.models import AssetKind
from tests.factories import UserFactory
from tests.moderation.factories import CONTENT_TYPES, AssetFactory, make

pytestmark = pytest.mark.django_db

APPROVED, PENDING, REJECTED = (
    ModerationStatus.APPROVED,
    ModerationStatus.PENDING,
    ModerationStatus.REJECTED,
)


def owner_of(obj):
    return getattr(obj, "owner", None) or obj.author


def decisions(obj):
    return list(
        ModerationDecision.objects.filter(
            content_type=moderation.content_type_for(obj), object_id=obj.pk
        )
        .order_by("id")
        .values_list("action", "previous_status", "moderator_id", "reason")
    )


def owner_notifications(obj):
    return list(
        Notification.objects.filter(recipient=owner_of(obj))
        .order_by("id")
        .values_list("type", "data")
    )


def test_every_registered_kind_is_covered_here():
    assert [kind.name for kind in kinds.kinds()] == CONTENT_TYPES


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_each_transition_writes_one_decision_and_tells_the_owner(content_type, moderator):
    obj = make(content_type)
    data = {"content_type": content_type, "id": obj.pk}
    on = {"content_type": content_type, "obj": obj}
    steps = [
        (
            partial(moderation.content_approve, **on, moderator=moderator),
            APPROVED,
            (ModerationAction.APPROVE, PENDING, moderator.pk, ""),
            NotificationType.CONTENT_APPROVED,
        ),
        (
            partial(moderation.content_hide, **on, reporters=3),
            PENDING,
            (ModerationAction.HIDE, APPROVED, None, "Reported by 3 users."),
            NotificationType.SYSTEM,
        ),
        (
            partial(moderation.content_restore, **on, moderator=moderator),
            APPROVED,
            (ModerationAction.RESTORE, PENDING, moderator.pk, ""),
            NotificationType.CONTENT_APPROVED,
        ),
        (
            partial(moderation.content_reject, **on, moderator=moderator, reason="Off-topic."),
            REJECTED,
            (ModerationAction.REJECT, APPROVED, moderator.pk, "Off-topic."),
            NotificationType.CONTENT_REJECTED,
        ),
    ]
    expected_decisions, expected_notifications = [], []
    for transition, status, decision, notification_type in steps:
        first, repeat = transition(), transition()

        assert first.changed is True and repeat.changed is False and repeat.decision is None
        expected_decisions.append(decision)
        expected_notifications.append((notification_type, data))
        obj.refresh_from_db()
        assert obj.status == status
        assert decisions(obj) == expected_decisions  # the repeat wrote nothing
        assert owner_notifications(obj) == expected_notifications
    assert obj.rejection_reason == "Off-topic." and obj.moderated_by == moderator


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_hiding_takes_only_public_content_out_of_view(content_type):
    pending, rejected = make(content_type), make(content_type, status=REJECTED)

    for obj in (pending, rejected):
        result = moderation.content_hide(content_type=content_type, obj=obj, reporters=5)
        assert result.changed is False

    assert ModerationDecision.objects.count() == 0 and Notification.objects.count() == 0
    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert (pending.status, rejected.status) == (PENDING, REJECTED)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_non_moderators_cannot_restore(content_type, owner):
    obj = make(content_type, owner=owner, status=APPROVED)
    moderation.content_hide(content_type=content_type, obj=obj, reporters=1)

    for user in (owner, UserFactory()):
        with pytest.raises(Forbidden):
            moderation.content_restore(content_type=content_type, obj=obj, moderator=user)

    obj.refresh_from_db()
    assert obj.status == PENDING
    assert [d[0] for d in decisions(obj)] == [ModerationAction.HIDE]
    assert decisions(obj)[0][3] == "Reported by 1 user."


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("trusted", [False, True])
def test_submit_is_a_system_decision_written_once(content_type, trusted):
    obj = make(content_type)

    first = moderation.content_submit(content_type=content_type, obj=obj, trusted=trusted)
    repeat = moderation.content_submit(content_type=content_type, obj=obj, trusted=trusted)

    assert first.changed is True and repeat.changed is False
    obj.refresh_from_db()
    assert obj.status == (APPROVED if trusted else PENDING)
    assert obj.moderated_by is None
    assert (obj.moderated_at is not None) is trusted
    reason = "Approved without review." if trusted else ""
    assert decisions(obj) == [(ModerationAction.SUBMIT, PENDING, None, reason)]
    assert Notification.objects.count() == 0  # the owner's own act


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_return_to_review(content_type, moderator):
    approved = make(content_type, status=APPROVED)
    rejected = make(content_type, status=REJECTED, rejection_reason="Noise.")
    pending = make(content_type)

    kept = moderation.content_return_to_review(
        content_type=content_type, obj=approved, trusted=True
    )
    assert kept.changed is False  # a trusted owner's edit keeps the approval
    for obj in (approved, rejected, pending):
        moderation.content_return_to_review(content_type=content_type, obj=obj)
        moderation.content_return_to_review(content_type=content_type, obj=obj)
        obj.refresh_from_db()
        assert obj.status == PENDING and obj.rejection_reason == ""

    assert decisions(approved) == [(ModerationAction.RESUBMIT, APPROVED, None, "")]
    assert decisions(rejected) == [(ModerationAction.RESUBMIT, REJECTED, None, "")]
    assert decisions(pending) == []


# --- callers: the apps' own services -------------------------------------------------------


def test_content_create_and_media_change_go_through_moderation(owner):
    audio = AssetFactory(owner=owner)
    podcast = catalog_services.content_create(
        model=Podcast, user=owner, title="Grace", asset_id=audio.pk
    )
    assert podcast.status == PENDING
    assert decisions(podcast) == [(ModerationAction.SUBMIT, PENDING, None, "")]

    Podcast.objects.filter(pk=podcast.pk).update(status=APPROVED)
    podcast.refresh_from_db()
    catalog_services.content_update(obj=podcast, user=owner, asset_id=AssetFactory(owner=owner).pk)
    podcast.refresh_from_db()
    assert podcast.status == PENDING
    assert decisions(podcast)[-1] == (ModerationAction.RESUBMIT, APPROVED, None, "")


def test_trusted_artists_content_is_approved_by_submit(owner):
    Artist.objects.create(user=owner, name="Choir", is_trusted=True)
    podcast = catalog_services.content_create(
        model=Podcast, user=owner, title="Praise", asset_id=AssetFactory(owner=owner).pk
    )
    podcast.refresh_from_db()
    assert podcast.status == APPROVED and podcast.published_at is not None
    assert decisions(podcast) == [
        (ModerationAction.SUBMIT, PENDING, None, "Approved without review.")
    ]


def test_story_create_and_media_change_go_through_moderation(owner):
    story = bible_services.story_create(
        user=owner, title="Jonah", video=AssetFactory(owner=owner, kind=AssetKind.VIDEO).pk
    )
    assert decisions(story) == [(ModerationAction.SUBMIT, PENDING, None, "")]

    moderator = UserFactory(is_staff=True)
    moderation.content_reject(
        content_type="bible_story", obj=story, moderator=moderator, reason="Blurry."
    )
    bible_services.story_update(
        story=story, user=owner, video=AssetFactory(owner=owner, kind=AssetKind.VIDEO).pk
    )
    story.refresh_from_db()
    assert story.status == PENDING and story.rejection_reason == ""
    assert [d[0] for d in decisions(story)] == ["submit", "reject", "resubmit"]


def test_post_create_and_edit_go_through_moderation(settings, owner):
    post = community_services.post_create(author=owner, content="Amen")
    assert post.status == APPROVED
    assert decisions(post) == [(ModerationAction.SUBMIT, PENDING, None, "Approved without review.")]

    settings.COMMUNITY_POSTS_REQUIRE_APPROVAL = True
    community_services.post_update(post=post, user=owner, content="Amen!")
    post.refresh_from_db()
    assert post.status == PENDING and post.body == "Amen!"
    assert decisions(post)[-1] == (ModerationAction.RESUBMIT, APPROVED, None, "")


# --- community reports ---------------------------------------------------------------------


def test_enough_reporters_hide_a_post_with_a_decision(settings, owner):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 2
    post = make("community_post", owner=owner, status=APPROVED)

    community_services.report_create(
        reporter=UserFactory(established=True), reason="spam", post=post
    )
    post.refresh_from_db()
    assert post.status == APPROVED and decisions(post) == []
    for _ in range(2):  # the second report past the threshold finds the post hidden already
        community_services.report_create(
            reporter=UserFactory(established=True), reason="spam", post=post
        )

    post.refresh_from_db()
    assert post.status == PENDING
    assert decisions(post) == [(ModerationAction.HIDE, APPROVED, None, "Reported by 2 users.")]
    assert owner_notifications(post) == [
        (NotificationType.SYSTEM, {"content_type": "community_post", "id": post.pk})
    ]


@pytest.fixture
def report_console(client, moderator):
    moderator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_report", "change_report"])
    )
    client.force_login(moderator)
    return client


def _reported_post(settings, owner):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 1
    post = make("community_post", owner=owner, status=APPROVED)
    report, _ = community_services.report_create(
        reporter=UserFactory(established=True), reason="False teaching", post=post
    )
    return post, report


def _post_action(client, action, report):
    return client.post(
        reverse("admin:community_report_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [report.pk]},
    )


def test_upholding_a_report_in_the_admin_rejects_and_tells_the_author(
    settings, owner, moderator, report_console
):
    post, report = _reported_post(settings, owner)

    response = _post_action(report_console, "uphold_reports", report)

    assert response.status_code == 302
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.status == REJECTED and post.moderated_by == moderator
    assert post.rejection_reason == "Removed after reports: False teaching"
    assert report.status == ReportStatus.UPHELD and report.resolved_by == moderator
    assert decisions(post) == [
        (ModerationAction.HIDE, APPROVED, None, "Reported by 1 user."),
        (ModerationAction.REJECT, PENDING, moderator.pk, "Removed after reports: False teaching"),
    ]
    rejected = Notification.objects.get(recipient=owner, type=NotificationType.CONTENT_REJECTED)
    assert rejected.actor == moderator
    assert rejected.data == {"content_type": "community_post", "id": post.pk}
    assert rejected.message == "Removed after reports: False teaching"


def test_dismissing_a_report_in_the_admin_restores_the_post(
    settings, owner, moderator, report_console
):
    post, report = _reported_post(settings, owner)

    _post_action(report_console, "dismiss_reports", report)

    post.refresh_from_db()
    assert post.status == APPROVED
    assert [d[:3] for d in decisions(post)] == [
        (ModerationAction.HIDE, APPROVED, None),
        (ModerationAction.RESTORE, PENDING, moderator.pk),
    ]
    assert [t for t, _ in owner_notifications(post)] == [
        NotificationType.SYSTEM,
        NotificationType.CONTENT_APPROVED,
    ]


@pytest.mark.parametrize("uphold", [True, False])
def test_non_moderators_cannot_resolve_reports(settings, owner, uphold):
    post, report = _reported_post(settings, owner)
    # Holding the report permissions does not make a user a moderator of content.
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_report", "change_report"])
    )

    for someone in (user, owner):
        with pytest.raises(Forbidden):
            community_services.report_resolve(report=report, moderator=someone, uphold=uphold)

    post.refresh_from_db()
    report.refresh_from_db()
    assert post.status == PENDING and report.status == ReportStatus.OPEN
    assert [d[0] for d in decisions(post)] == [ModerationAction.HIDE]
    assert not CommunityPost.objects.filter(status=REJECTED).exists()
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 1
