"""The notification service: one row per recipient, preferences decide, pushes and emails
after commit only, and a fan-out that runs twice notifies nobody twice."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Artist, ArtistFollower
from catalog.services import artist_followers_notify
from cnt.notifications import services
from cnt.notifications.models import (
    Notification,
    NotificationFanout,
    NotificationPreference,
    NotificationType,
)
from cnt.notifications.services import EVENT_CREATED, notification_fanout
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FANOUT_QUERIES = 10


def make_users(count: int, *, is_active: bool = True) -> list[int]:
    """Many users in one insert (the factory hashes a password per user)."""
    User = get_user_model()
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"fan{start + i}", email=f"fan{start + i}@example.com", is_active=is_active)
        for i in range(count)
    )
    return [u.pk for u in users]


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services.realtime,
        "send_to_user",
        lambda user_id, event, payload: sent.append((user_id, event, payload)) or True,
    )
    return sent


def fanout(recipient_ids, *, key="system:1", **kwargs):
    kwargs.setdefault("type", NotificationType.SYSTEM)
    kwargs.setdefault("title", "Service at six")
    return notification_fanout(recipient_ids=recipient_ids, key=key, **kwargs)


@pytest.mark.parametrize("count", [3, 60])
def test_fanout_runs_a_bounded_number_of_queries(count, django_assert_max_num_queries):
    ids = make_users(count)
    with django_assert_max_num_queries(FANOUT_QUERIES):
        assert fanout(ids) == count
    assert Notification.objects.filter(type=NotificationType.SYSTEM).count() == count


def test_fanout_query_count_does_not_grow_with_recipients():
    small, large = make_users(2), make_users(80)
    with CaptureQueriesContext(connection) as few:
        fanout(small, key="a")
    with CaptureQueriesContext(connection) as many:
        fanout(large, key="b")
    assert len(many) == len(few)


def test_fanout_inserts_in_batches():
    ids = make_users(25)
    with CaptureQueriesContext(connection) as queries:
        assert fanout(ids, batch_size=10) == 25
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "notifications"')]
    assert len(inserts) == 3
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(ids)


def test_fanout_rows_carry_the_event(django_capture_on_commit_callbacks):
    actor = UserFactory()
    (fan,) = make_users(1)
    with django_capture_on_commit_callbacks(execute=True):
        fanout(
            [fan, fan],
            title="x" * 300,
            message="Bring a friend",
            data={"stream_id": 7},
            actor=actor,
        )
    note = Notification.objects.get(recipient_id=fan)
    assert note.type == NotificationType.SYSTEM
    assert note.title == "x" * 199 + "…"
    assert (note.message, note.data) == ("Bring a friend", {"stream_id": 7})
    assert note.actor_id == actor.pk
    assert note.read_at is None and note.created_at is not None


def test_fanout_respects_per_type_preferences(mailoutbox, django_capture_on_commit_callbacks):
    default, muted, emailed, email_only = make_users(4)
    NotificationPreference.objects.create(user_id=muted, type=NotificationType.SYSTEM, in_app=False)
    NotificationPreference.objects.create(user_id=emailed, type=NotificationType.SYSTEM, email=True)
    NotificationPreference.objects.create(
        user_id=email_only, type=NotificationType.SYSTEM, in_app=False, email=True
    )
    # A preference for another type changes nothing for this one.
    NotificationPreference.objects.create(user_id=default, type=NotificationType.LIKE, in_app=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert fanout([default, muted, emailed, email_only], message="Doors open at 5.") == 3
    assert mailoutbox == []
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [default, emailed]
    )
    for callback in callbacks:
        callback()
    User = get_user_model()
    expected = {User.objects.get(pk=pk).email for pk in (emailed, email_only)}
    assert {m.to[0] for m in mailoutbox} == expected
    assert {m.subject for m in mailoutbox} == {"Service at six"}
    assert all("Doors open at 5." in m.body for m in mailoutbox)


def test_fanout_pushes_after_commit_only(pushes, django_capture_on_commit_callbacks):
    ids = make_users(3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fanout(ids, data={"id": 1})
    assert pushes == []
    for callback in callbacks:
        callback()
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert sorted(user_id for user_id, _, _ in pushes) == sorted(ids)
    for user_id, event, payload in pushes:
        note = notes[user_id]
        assert event == EVENT_CREATED == "community.notification.created"
        assert payload == services.notification_payload(note)
        assert payload["id"] == note.pk and payload["data"] == {"id": 1}


def test_a_rolled_back_fanout_pushes_nothing_and_can_run_again(pushes, mailoutbox):
    ids = make_users(2)
    NotificationPreference.objects.create(user_id=ids[0], type=NotificationType.SYSTEM, email=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        fanout(ids)
        raise RuntimeError("the caller failed after the fan-out")
    assert not Notification.objects.exists() and not NotificationFanout.objects.exists()
    assert pushes == [] and mailoutbox == []
    assert fanout(ids) == 2


def test_running_the_same_fanout_twice_notifies_once(
    pushes, mailoutbox, django_capture_on_commit_callbacks
):
    ids = make_users(3)
    NotificationPreference.objects.create(
        user_id=ids[0], type=NotificationType.SYSTEM, in_app=False, email=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout(ids, key="live_started:stream:9") == 3
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert fanout(ids, key="live_started:stream:9") == 0
    assert again == []
    assert Notification.objects.count() == 2
    assert len(pushes) == 2 and len(mailoutbox) == 1
    fanout_row = NotificationFanout.objects.get()
    assert (fanout_row.key, fanout_row.recipients_count) == ("live_started:stream:9", 3)
    # Another key is another event.
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout(ids, key="live_started:stream:10") == 3
    assert Notification.objects.count() == 4


def test_artist_followers_notify_reaches_active_followers_once(django_assert_max_num_queries):
    owner = UserFactory()
    artist = Artist.objects.create(user=owner, name="Choir")
    active, inactive = make_users(40), make_users(2, is_active=False)
    ArtistFollower.objects.bulk_create(
        ArtistFollower(artist=artist, user_id=pk) for pk in [*active, *inactive, owner.pk]
    )
    other = Artist.objects.create(user=UserFactory(), name="Other")
    ArtistFollower.objects.create(artist=other, user_id=make_users(1)[0])
    event = {
        "artist_id": artist.pk,
        "type": NotificationType.NEW_CONTENT,
        "title": "New from Choir: Psalm 23",
        "data": {"content_type": "music", "id": 5},
    }

    with django_assert_max_num_queries(FANOUT_QUERIES + 2):
        assert artist_followers_notify(**event) == 40
    assert artist_followers_notify(**event) == 0
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(active)
    notes = Notification.objects.all()
    assert {(n.type, n.title, n.actor_id) for n in notes} == {
        (NotificationType.NEW_CONTENT, "New from Choir: Psalm 23", None)
    }
    assert all(n.data == {"content_type": "music", "id": 5} for n in notes)


def test_artist_followers_notify_for_an_unknown_artist_sends_nothing():
    assert artist_followers_notify(artist_id=0, type="system", title="t", data={}) == 0
    assert not NotificationFanout.objects.exists()
