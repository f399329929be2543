"""The moderation services: one per transition, audited, notifying, idempotent, locked."""

import threading

import pytest
from django.db import connection, transaction

from catalog import moderation
from catalog.models import ModerationAction, ModerationDecision
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification, NotificationType
from tests.factories import UserFactory
from tests.moderation.factories import CONTENT_TYPES, make

pytestmark = pytest.mark.django_db
CATALOG_TYPES = ("podcast", "movie", "music")


def owner_of(obj):
    return getattr(obj, "owner", None) or obj.author


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_approve_publishes_audits_and_notifies(
    content_type, moderator, pushes, django_capture_on_commit_callbacks
):
    obj = make(content_type)

    with django_capture_on_commit_callbacks(execute=True):
        result = moderation.content_approve(content_type=content_type, obj=obj, moderator=moderator)

    obj.refresh_from_db()
    assert result.changed is True
    assert obj.status == ModerationStatus.APPROVED
    assert obj.moderated_by == moderator
    assert obj.moderated_at is not None
    assert obj.rejection_reason == ""
    if content_type in CATALOG_TYPES:
        assert obj.published_at == obj.moderated_at
    decision = ModerationDecision.objects.get()
    assert (decision.content_type, decision.object_id) == (content_type, obj.pk)
    assert decision.action == ModerationAction.APPROVE
    assert decision.previous_status == ModerationStatus.PENDING
    assert decision.moderator == moderator
    assert decision.reason == ""
    notification = Notification.objects.get()
    assert notification.recipient == owner_of(obj)
    assert notification.actor == moderator
    assert notification.type == NotificationType.CONTENT_APPROVED
    assert notification.data == {"content_type": content_type, "id": obj.pk}
    assert [(user_id, event) for user_id, event, _ in pushes] == [
        (owner_of(obj).pk, "community.notification.created")
    ]
    payload = pushes[0][2]
    assert payload["id"] == notification.pk
    assert payload["type"] == "content_approved"
    assert payload["data"] == {"content_type": content_type, "id": obj.pk}


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_reject_stores_the_reason_and_tells_the_owner(content_type, moderator, pushes):
    obj = make(content_type)

    result = moderation.content_reject(
        content_type=content_type, obj=obj, moderator=moderator, reason="  Off-topic.  "
    )

    obj.refresh_from_db()
    assert result.changed is True
    assert obj.status == ModerationStatus.REJECTED
    assert obj.rejection_reason == "Off-topic."
    decision = ModerationDecision.objects.get()
    assert decision.action == ModerationAction.REJECT
    assert decision.reason == "Off-topic."
    notification = Notification.objects.get()
    assert notification.type == NotificationType.CONTENT_REJECTED
    assert notification.message == "Off-topic."
    assert notification.recipient == owner_of(obj)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_requires_a_reason_and_changes_nothing(reason, moderator):
    obj = make("podcast")

    with pytest.raises(InvalidInput):
        moderation.content_reject(
            content_type="podcast", obj=obj, moderator=moderator, reason=reason
        )

    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.exists()
    assert not Notification.objects.exists()


def test_reject_refuses_an_overlong_reason(moderator):
    obj = make("movie")
    with pytest.raises(InvalidInput):
        moderation.content_reject(
            content_type="movie", obj=obj, moderator=moderator, reason="x" * 2001
        )
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_repeating_a_decision_is_a_no_op(content_type, moderator, pushes):
    obj = make(content_type)
    moderation.content_approve(content_type=content_type, obj=obj, moderator=moderator)
    other = UserFactory(is_staff=True)

    again = moderation.content_approve(content_type=content_type, obj=obj, moderator=other)

    assert again.changed is False
    assert again.decision is None
    obj.refresh_from_db()
    assert obj.moderated_by == moderator  # untouched by the repeat
    assert ModerationDecision.objects.count() == 1
    assert Notification.objects.count() == 1

    moderation.content_reject(content_type=content_type, obj=obj, moderator=other, reason="No.")
    repeat = moderation.content_reject(
        content_type=content_type, obj=obj, moderator=moderator, reason="Still no."
    )
    assert repeat.changed is False
    obj.refresh_from_db()
    assert obj.rejection_reason == "No."
    assert ModerationDecision.objects.count() == 2


def test_decisions_can_be_reversed_and_keep_the_first_publication_date(moderator):
    obj = make("music")
    moderation.content_reject(content_type="music", obj=obj, moderator=moderator, reason="Mix.")
    moderation.content_approve(content_type="music", obj=obj, moderator=moderator)
    obj.refresh_from_db()
    first_published = obj.published_at
    assert obj.status == ModerationStatus.APPROVED
    assert obj.rejection_reason == ""

    moderation.content_reject(content_type="music", obj=obj, moderator=moderator, reason="Oops.")
    moderation.content_approve(content_type="music", obj=obj, moderator=moderator)

    obj.refresh_from_db()
    assert obj.published_at == first_published
    history = list(
        ModerationDecision.objects.order_by("id").values_list("action", "previous_status")
    )
    assert history == [
        ("reject", "pending"),
        ("approve", "rejected"),
        ("reject", "approved"),
        ("approve", "rejected"),
    ]


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_non_moderators_change_nothing(content_type, owner):
    obj = make(content_type, owner=owner)

    with pytest.raises(Forbidden):
        moderation.content_approve(content_type=content_type, obj=obj, moderator=owner)
    with pytest.raises(Forbidden):
        moderation.content_reject(content_type=content_type, obj=obj, moderator=owner, reason="x")

    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING
    assert obj.moderated_by is None
    assert not ModerationDecision.objects.exists()
    assert not Notification.objects.exists()


def test_the_content_type_must_match_the_object(moderator):
    obj = make("podcast")
    with pytest.raises(moderation.UnknownContentType):
        moderation.content_approve(content_type="movie", obj=obj, moderator=moderator)
    with pytest.raises(moderation.UnknownContentType):
        moderation.model_for("sermon")
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    moderator, pushes, django_capture_on_commit_callbacks
):
    obj = make("podcast")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        moderation.content_approve(content_type="podcast", obj=obj, moderator=moderator)
        raise RuntimeError("the surrounding work failed")

    assert callbacks == []
    assert pushes == []
    obj.refresh_from_db()
    assert obj.status == ModerationStatus.PENDING
    assert not Notification.objects.exists()


def test_the_queue_counts_pending_items_per_type(moderator):
    make("podcast")
    make("podcast")
    make("movie", status=ModerationStatus.APPROVED)
    make("community_post")

    queue = {entry.content_type.value: entry.pending for entry in moderation.moderation_queue()}

    assert queue == {"podcast": 2, "movie": 0, "music": 0, "bible_story": 0, "community_post": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_write_one_decision(moderator):
    obj = make("podcast")
    barrier = threading.Barrier(4)
    errors = []

    def approve():
        try:
            barrier.wait(timeout=10)
            moderation.content_approve(content_type="podcast", obj=obj, moderator=moderator)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert ModerationDecision.objects.filter(object_id=obj.pk).count() == 1
    assert Notification.objects.count() == 1
