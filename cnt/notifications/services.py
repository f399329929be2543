"""Creating notifications: the row first (the source of truth), the WebSocket push, the phone
push (cnt/notifications/push.py) and the email after commit. A client that missed a push
reads its notifications over REST, so a failed push loses nothing.

Every app that notifies calls this module, whatever its layer; it knows nothing of them.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from cnt import realtime
from cnt.i18n import language_for
from cnt.notifications.models import (
    Device,
    Notification,
    NotificationFanout,
    NotificationPreference,
)
from cnt.notifications.push import push_after_commit

EVENT_CREATED = "community.notification.created"
FANOUT_BATCH_SIZE = 500


def _pk(value):
    """Accept a model instance or a primary key (callers often hold only `owner_id`)."""
    return getattr(value, "pk", value)


def _fit_title(title: str) -> str:
    max_title = Notification._meta.get_field("title").max_length
    if len(title) > max_title:
        return title[: max_title - 1] + "…"
    return title


def notification_payload(notification: Notification) -> dict:
    """The JSON a client receives for a notification (push and REST share the fields)."""
    return {
        "id": notification.pk,
        "type": notification.type,
        "title": notification.title,
        "message": notification.message,
        "data": notification.data,
        "actor_id": notification.actor_id,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
        "created_at": notification.created_at.isoformat(),
    }


def _email_after_commit(recipient_ids: list[int], subject: str, body: str) -> None:
    if not recipient_ids:
        return
    from cnt.notifications.tasks import send_notification_email

    def send():
        for recipient_id in recipient_ids:
            send_notification_email.delay(recipient_id, subject, body)

    transaction.on_commit(send, robust=True)


def _push_after_commit(notifications: list[Notification]) -> None:
    if not notifications:
        return
    pushes = [(n.recipient_id, notification_payload(n)) for n in notifications]

    def push():
        for recipient_id, payload in pushes:
            realtime.send_to_user(recipient_id, EVENT_CREATED, payload)

    transaction.on_commit(push, robust=True)
    push_after_commit(notifications)


def _languages(recipient_ids: list[int]) -> dict[int, str]:
    """Each recipient's language: their saved one, else their latest device's locale, else
    the site's (two queries at most)."""
    saved = dict(
        get_user_model().objects.filter(pk__in=recipient_ids).values_list("pk", "language")
    )
    unsaved = [pk for pk in recipient_ids if not saved.get(pk)]
    device_locale: dict[int, str] = {}
    if unsaved:
        for user_id, locale in (
            Device.objects.filter(user_id__in=unsaved)
            .exclude(locale="")
            .order_by("-last_seen_at")
            .values_list("user_id", "locale")
        ):
            device_locale.setdefault(user_id, locale)
    return {
        pk: language_for(None, fallback=saved.get(pk) or device_locale.get(pk))
        for pk in recipient_ids
    }


def _in(language: str, text) -> str:
    """`text` written in `language`: callers pass lazy texts (gettext_lazy, format_lazy) so
    each recipient reads their own language, not the language of whoever acted."""
    if not isinstance(text, Promise):
        return str(text)
    with translation.override(language):
        return str(text)


def notification_create(
    *, recipient, type: str, title, message="", data=None, actor=None
) -> Notification | None:
    """Store a notification for `recipient` and push it to their sockets once committed.

    The recipient's preferences for this type decide: in-app off stores nothing (None is
    returned); email on also sends it by email after commit. Lazy `title` and `message` are
    written in the recipient's language."""
    recipient_id = _pk(recipient)
    if isinstance(title, Promise) or isinstance(message, Promise):
        language = _languages([recipient_id])[recipient_id]
        title, message = _in(language, title), _in(language, message)
    title = _fit_title(title)
    preference = NotificationPreference.objects.filter(user_id=recipient_id, type=type).first()
    if preference is not None and preference.email:
        _email_after_commit([recipient_id], title, message)
    if preference is not None and not preference.in_app:
        return None
    notification = Notification.objects.create(
        recipient_id=recipient_id,
        actor_id=_pk(actor),
        type=type,
        title=title,
        message=message,
        data=data or {},
    )
    _push_after_commit([notification])
    return notification


def notification_fanout(
    *,
    recipient_ids: Iterable[int],
    type: str,
    title: str,
    message: str = "",
    data=None,
    actor=None,
    key: str,
    batch_size: int = FANOUT_BATCH_SIZE,
) -> int:
    """Send one notification to many recipients, once per `key`; returns how many were sent
    (in-app, email or both; 0 when the key has already run).

    Same rules as `notification_create`, in a bounded number of queries: the key is claimed,
    preferences are read in one query and rows are inserted in batches, all in one
    transaction; pushes and emails follow the commit. A retried task that runs the same key
    again finds the claim and notifies nobody twice. Lazy texts are written in each
    recipient's language."""
    data = data or {}
    actor_id = _pk(actor)
    wanted = list(dict.fromkeys(int(pk) for pk in recipient_ids))
    lazy = isinstance(title, Promise) or isinstance(message, Promise)
    with transaction.atomic():
        fanout, created = NotificationFanout.objects.get_or_create(key=key, defaults={"type": type})
        if not created or not wanted:
            return 0
        preferences = {
            user_id: (in_app, email)
            for user_id, in_app, email in NotificationPreference.objects.filter(
                user_id__in=wanted, type=type
            ).values_list("user_id", "in_app", "email")
        }
        in_app_ids = [pk for pk in wanted if preferences.get(pk, (True, False))[0]]
        email_ids = [pk for pk in wanted if preferences.get(pk, (True, False))[1]]
        languages = _languages(wanted) if lazy else {}
        texts: dict[str, tuple[str, str]] = {}  # language -> (title, message)

        def text_for(pk: int) -> tuple[str, str]:
            language = languages.get(pk, "")
            if language not in texts:
                texts[language] = (
                    _fit_title(_in(language, title)) if lazy else _fit_title(title),
                    _in(language, message) if lazy else message,
                )
            return texts[language]

        rows = [
            Notification(
                recipient_id=pk,
                actor_id=actor_id,
                type=type,
                title=text_for(pk)[0],
                message=text_for(pk)[1],
                data=data,
            )
            for pk in in_app_ids
        ]
        notifications = Notification.objects.bulk_create(rows, batch_size=batch_size)
        sent = len(set(in_app_ids) | set(email_ids))
        NotificationFanout.objects.filter(pk=fanout.pk).update(recipients_count=sent)
        _push_after_commit(notifications)
        by_text: dict[tuple[str, str], list[int]] = {}
        for pk in email_ids:
            by_text.setdefault(text_for(pk), []).append(pk)
        for (subject, body), ids in by_text.items():
            _email_after_commit(ids, subject, body)
    return sent


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user, preferences: list[dict]) -> None:
    """Store per-type delivery choices (in-app, email, push)."""
    for item in preferences:
        NotificationPreference.objects.update_or_create(
            user=user,
            type=item["type"],
            defaults={
                "in_app": item["in_app"],
                "email": item["email"],
                "push": item.get("push", True),
            },
        )


def device_register(
    *, user, token: str, platform: str, app_version: str = "", locale: str = ""
) -> tuple[Device, bool]:
    """Register (or refresh) the caller's push token; returns (device, created). A token
    already registered by someone else moves to the caller: the same app install is now
    signed in as them, and the previous user must not get their pushes."""
    device, created = Device.objects.update_or_create(
        token=token,
        defaults={
            "user_id": _pk(user),
            "platform": platform,
            "app_version": app_version,
            "locale": locale,
        },
    )
    return device, created


def device_remove(*, user, token: str) -> bool:
    """Forget one of the caller's push tokens (sign-out); False when they have no such token
    (someone else's token is left alone, and looks the same as an unknown one)."""
    deleted, _ = Device.objects.filter(user_id=_pk(user), token=token).delete()
    return deleted > 0
