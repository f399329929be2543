"""Two workers running the same fan-out at once (a redelivered task) on real transactions:
the key's unique claim lets exactly one of them notify."""

import pytest

from cnt.notifications import services
from cnt.notifications.models import Notification, NotificationFanout, NotificationType
from cnt.notifications.services import notification_fanout
from cnt.notifications.tasks import send_notification_email
from tests.concurrency import run_concurrently
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_same_fanout_at_once_notifies_each_recipient_once(monkeypatch):
    pushed = []
    monkeypatch.setattr(
        services.realtime, "send_to_user", lambda user_id, *_: pushed.append(user_id) or True
    )
    ids = [user.pk for user in UserFactory.create_batch(5)]

    def call():
        return notification_fanout(
            recipient_ids=ids, type=NotificationType.SYSTEM, title="Vigil", key="vigil"
        )

    results = run_concurrently([call] * 4)
    assert sorted(results) == [0, 0, 0, 5]
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(ids)
    assert NotificationFanout.objects.filter(key="vigil").count() == 1
    assert sorted(pushed) == sorted(ids)


def test_the_email_task_keeps_its_queued_name():
    assert send_notification_email.name == "community.send_notification_email"
