"""Notifications pushed to phones: after commit, per the push preference, a burst of likes as one
push, dead tokens dropped, transient failures retried for the failed devices only, follower
fan-out in batches; nothing at all without credentials."""

import pytest

from cnt.notifications import push as notification_push
from cnt.notifications.models import (
    Device,
    Notification,
    NotificationPreference,
    NotificationType,
)
from cnt.notifications.services import notification_create, notification_fanout
from cnt.notifications.tasks import push_notifications
from tests.cnt.test_notifications import make_users
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_retries(monkeypatch):
    """Let eager tasks run their retries in place (a worker would requeue them), with no wait."""
    from cnt.celery import app

    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(notification_push, "retry_delay", lambda retries, after: 0)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block schedules after commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def device(user, token, platform="android"):
    return Device.objects.create(user=user, token=token, platform=platform)


def like(recipient, actor, post_id=1):
    return notification_create(
        recipient=recipient,
        actor=actor,
        type=NotificationType.LIKE,
        title=f"{actor.username} liked your post",
        data={"post_id": post_id},
    )


def test_a_notification_is_pushed_to_every_device_after_commit(
    fcm, django_capture_on_commit_callbacks
):
    author, fan = UserFactory(), UserFactory()
    device(author, "phone-1")
    device(author, "browser-1", platform="web")
    device(fan, "fan-phone")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_create(
            recipient=author,
            actor=fan,
            type=NotificationType.COMMENT,
            title="Ana commented on your post",
            message="Amen!",
            data={"post_id": 7},
        )
    assert fcm.sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(fcm.tokens_sent_to) == ["browser-1", "phone-1"]
    message = fcm.sent[0]["message"]
    assert message["notification"] == {"title": "Ana commented on your post", "body": "Amen!"}
    assert message["data"] == {
        "notification_id": str(notification.pk),
        "type": "comment",
        "data": '{"post_id":7}',
    }
    assert "android" not in message  # only likes and follows collapse
    notification.refresh_from_db()
    assert notification.pushed_at is not None


def test_push_preference_off_stores_in_app_but_pushes_nothing(fcm, committed):
    author, fan = UserFactory(), UserFactory()
    device(author, "phone-1")
    NotificationPreference.objects.create(user=author, type="comment", push=False)
    with committed():
        notification_create(recipient=author, actor=fan, type="comment", title="c")
    assert Notification.objects.filter(recipient=author).count() == 1
    assert fcm.send_requests == 0


def test_a_burst_of_likes_is_one_push(fcm, django_capture_on_commit_callbacks, monkeypatch):
    author = UserFactory()
    device(author, "phone-1")
    queued = []
    monkeypatch.setattr(
        push_notifications, "apply_async", lambda args, countdown: queued.append((args, countdown))
    )
    with django_capture_on_commit_callbacks(execute=True):
        likes = [like(author, UserFactory()) for _ in range(3)]
    assert [countdown for _, countdown in queued] == [30, 30, 30]  # held for the burst
    results = [push_notifications.apply(args=args).get() for args, _ in queued]
    assert [r["sent"] for r in results] == [0, 0, 1]
    assert fcm.tokens_sent_to == ["phone-1"]
    message = fcm.sent[0]["message"]
    assert message["notification"] == {"title": "3 new likes", "body": likes[-1].title}
    assert message["android"]["collapse_key"] == "like"
    assert message["apns"]["headers"] == {"apns-collapse-id": "like"}
    assert Notification.objects.filter(recipient=author, pushed_at__isnull=True).count() == 0
    # A replayed task sends nothing twice.
    assert push_notifications.apply(args=queued[-1][0]).get()["sent"] == 0
    assert fcm.send_requests == 1


def test_unregistered_tokens_are_dropped(fcm, committed):
    author, fan = UserFactory(), UserFactory()
    device(author, "dead-token")
    device(author, "garbled-token")
    device(author, "live-token")
    fcm.unregistered.add("dead-token")
    fcm.invalid.add("garbled-token")
    with committed():
        notification_create(recipient=author, actor=fan, type="comment", title="c")
    assert list(Device.objects.filter(user=author).values_list("token", flat=True)) == [
        "live-token"
    ]
    assert fcm.tokens_sent_to == ["live-token"]


def test_transient_failures_are_retried_for_the_failed_devices_only(fcm, eager_retries, committed):
    author, fan = UserFactory(), UserFactory()
    device(author, "phone-1")
    device(author, "phone-2")
    fcm.failures = [(503, "UNAVAILABLE", None)]  # the first of the two sends
    with committed():
        notification_create(recipient=author, actor=fan, type="comment", title="c")
    assert sorted(fcm.tokens_sent_to) == ["phone-1", "phone-2"]  # each exactly once
    assert fcm.send_requests == 3


def test_retries_stop_after_the_last_try(fcm, eager_retries, committed):
    author, fan = UserFactory(), UserFactory()
    device(author, "phone-1")
    fcm.failures = [(429, "QUOTA_EXCEEDED", "1")] * 20
    with committed():
        notification_create(recipient=author, actor=fan, type="comment", title="c")
    assert fcm.send_requests == push_notifications.max_retries + 1
    assert fcm.sent == []


def test_follower_fanout_is_sent_in_batches(
    fcm, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    recipients = make_users(520)
    Device.objects.bulk_create(
        Device(user_id=pk, token=f"tok-{pk}", platform="android") for pk in recipients
    )
    NotificationPreference.objects.create(user_id=recipients[0], type="new_content", push=False)
    queued, batches = [], []
    monkeypatch.setattr(
        push_notifications, "apply_async", lambda args, countdown: queued.append(args)
    )
    real_send_each = notification_push.push.send_each
    monkeypatch.setattr(
        notification_push.push,
        "send_each",
        lambda pushes: batches.append(len(pushes)) or real_send_each(pushes),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification_fanout(
            recipient_ids=recipients, type="new_content", title="New sermon", key="sermon-1"
        )
    assert [len(args[0]) for args in queued] == [500, 20]
    with django_assert_max_num_queries(6):
        push_notifications.apply(args=queued[0]).get()
    push_notifications.apply(args=queued[1]).get()
    assert batches == [499, 20]  # one SDK call per task; the opted-out recipient skipped
    assert len(fcm.sent) == 519
    assert f"tok-{recipients[0]}" not in set(fcm.tokens_sent_to)


def test_without_credentials_nothing_is_queued_and_nothing_fails(settings, monkeypatch):
    settings.FCM_CREDENTIALS_FILE = ""
    queued = []
    monkeypatch.setattr(push_notifications, "apply_async", lambda *a, **k: queued.append(a))
    author, fan = UserFactory(), UserFactory()
    device(author, "phone-1")
    assert like(author, fan) is not None
    assert queued == []
    assert push_notifications.apply(args=[[1, 2]]).get() == {
        "sent": 0,
        "unregistered": 0,
        "failed": 0,
    }


def test_push_texts_follow_the_recipients_language(fcm, monkeypatch, committed):
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy as _

    author = UserFactory()  # no saved language: the phone's locale decides
    Device.objects.create(user=author, token="phone-fr", platform="ios", locale="fr-FR")
    queued = []
    monkeypatch.setattr(
        push_notifications, "apply_async", lambda args, countdown: queued.append(args)
    )
    for name in ("Ana", "Ben"):
        with committed():
            notification_create(
                recipient=author,
                type=NotificationType.LIKE,
                title=format_lazy(_("{name} liked your post"), name=name),
            )
    for args in queued:
        push_notifications.apply(args=args).get()
    assert fcm.sent[0]["message"]["notification"] == {
        "title": "2 nouveaux j’aime",
        "body": "Ben a aimé votre publication",
    }
