"""Phone pushes of notifications: scheduled after commit, sent by a Celery task in batches.

Every notification stored in-app is pushed to the recipient's devices when their preference
for its type allows push. Likes and follows wait FCM_COLLAPSE_SECONDS and share a collapse key
per type: when the task runs, only the newest of a recipient's unpushed ones of that type is
sent ("3 new likes"), and the older ones are marked as pushed with it, so a burst is one push.
Tokens FCM reports as unregistered are deleted; transient failures are retried for exactly the
(notification, device) pairs that failed.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cnt import push
from cnt.i18n import language_for
from cnt.notifications.models import (
    Device,
    Notification,
    NotificationPreference,
    NotificationType,
)

TASK_BATCH = 500  # notifications per task (a follower fan-out is split into these)
COLLAPSIBLE = {NotificationType.LIKE, NotificationType.FOLLOW}
# Unread, unpushed notifications older than this are not counted into a collapsed push.
COLLAPSE_LOOKBACK = timedelta(hours=24)


@dataclass
class PushRun:
    """What one run of the push task did."""

    sent: int = 0
    unregistered: int = 0
    failed: int = 0
    # [notification_id, device_id, count] to try again, and after how long.
    retry: list[list[int]] = field(default_factory=list)
    retry_after: float | None = None


def push_after_commit(notifications: list[Notification]) -> None:
    """Queue the push task for these new notifications once the transaction commits (nothing
    at all while push is off)."""
    if not notifications or not push.is_enabled():
        return
    collapsed = [n.pk for n in notifications if n.type in COLLAPSIBLE]
    direct = [n.pk for n in notifications if n.type not in COLLAPSIBLE]

    def enqueue():
        from cnt.notifications.tasks import push_notifications

        for ids, countdown in ((direct, None), (collapsed, settings.FCM_COLLAPSE_SECONDS)):
            for start in range(0, len(ids), TASK_BATCH):
                push_notifications.apply_async(
                    args=[ids[start : start + TASK_BATCH]], countdown=countdown
                )

    transaction.on_commit(enqueue, robust=True)


def collapse_key(notification: Notification) -> str:
    return notification.type if notification.type in COLLAPSIBLE else ""


def _folded_title(type_: str, count: int) -> str:
    if type_ == NotificationType.LIKE:
        return ngettext("%(count)d new like", "%(count)d new likes", count) % {"count": count}
    return ngettext("%(count)d new follower", "%(count)d new followers", count) % {"count": count}


def push_text(notification: Notification, count: int = 1, language: str = "") -> tuple[str, str]:
    """(title, body) of the push for `notification`, folding `count` of its kind into one,
    in `language` (the notification's own text was written in the recipient's already)."""
    if count > 1 and notification.type in COLLAPSIBLE:
        with translation.override(language or settings.LANGUAGE_CODE):
            return _folded_title(notification.type, count), notification.title
    return notification.title, notification.message


def _with_language(devices):
    """Devices with the language their pushes are written in (the user's saved one, else
    the device's locale), in the same query."""
    return devices.annotate(user_language=F("user__language"))


def _language_of(device: Device) -> str:
    return language_for(None, fallback=device.user_language or device.locale)


def _data(notification: Notification) -> dict[str, str]:
    return {
        "notification_id": str(notification.pk),
        "type": notification.type,
        "data": json.dumps(notification.data, separators=(",", ":")),
    }


def _heads(notifications: list[Notification]) -> tuple[dict[int, int], list[int]]:
    """For collapsible notifications: {head_id: count} of the groups (recipient, type) whose
    newest unpushed notification is among `notifications`, and every id those heads cover."""
    collapsible = [n for n in notifications if n.type in COLLAPSIBLE]
    if not collapsible:
        return {}, []
    groups = (
        Notification.objects.filter(
            recipient_id__in={n.recipient_id for n in collapsible},
            type__in={n.type for n in collapsible},
            pushed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=timezone.now() - COLLAPSE_LOOKBACK,
        )
        .values("recipient_id", "type")
        .annotate(head=Max("id"), count=Count("id"))
    )
    head_of = {(g["recipient_id"], g["type"]): (g["head"], g["count"]) for g in groups}
    heads, covered = {}, []
    for n in collapsible:
        head, count = head_of.get((n.recipient_id, n.type), (n.pk, 1))
        if head == n.pk:
            heads[n.pk] = count
    for (recipient_id, type_), (head, _) in head_of.items():
        if head in heads:
            covered.append((recipient_id, type_, head))
    return heads, covered


def _push_blocked(notifications: list[Notification]) -> set[tuple[int, str]]:
    """(recipient, type) pairs whose preference turns push off: one query."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in={n.recipient_id for n in notifications},
            type__in={n.type for n in notifications},
            push=False,
        ).values_list("user_id", "type")
    )


def _send(plan: list[tuple[Notification, Device, int]], run: PushRun) -> None:
    """Send `plan` in batches of push.MAX_BATCH; record the outcome in `run`."""
    dead_tokens: list[str] = []
    for start in range(0, len(plan), push.MAX_BATCH):
        chunk = plan[start : start + push.MAX_BATCH]
        pushes = []
        for notification, device, count in chunk:
            title, body = push_text(notification, count, _language_of(device))
            pushes.append(
                push.Push(
                    token=device.token,
                    title=title,
                    body=body,
                    data=_data(notification),
                    collapse_key=collapse_key(notification),
                )
            )
        try:
            outcome = push.send_each(pushes)
        except push.PushUnavailable as exc:
            run.retry.extend([n.pk, d.pk, c] for n, d, c in chunk)
            run.retry_after = max(run.retry_after or 0.0, exc.retry_after or 0.0) or None
            continue
        transient = set(outcome.transient)
        run.sent += len(outcome.sent)
        run.failed += len(outcome.failed)
        run.unregistered += len(outcome.unregistered)
        dead_tokens.extend(outcome.unregistered)
        run.retry.extend([n.pk, d.pk, c] for n, d, c in chunk if d.token in transient)
        if outcome.retry_after is not None:
            run.retry_after = max(run.retry_after or 0.0, outcome.retry_after)
    if dead_tokens:
        Device.objects.filter(token__in=dead_tokens).delete()


def notifications_push(*, notification_ids: list[int]) -> PushRun:
    """Push these notifications to their recipients' devices; safe to run twice (a pushed
    notification is marked and skipped). A bounded number of queries whatever the batch size."""
    run = PushRun()
    if not push.is_enabled():
        return run
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, pushed_at__isnull=True).order_by("id")
    )
    if not notifications:
        return run
    heads, covered = _heads(notifications)
    blocked = _push_blocked(notifications)
    to_send = [
        (n, heads.get(n.pk, 1))
        for n in notifications
        if (n.type not in COLLAPSIBLE or n.pk in heads) and (n.recipient_id, n.type) not in blocked
    ]
    devices: dict[int, list[Device]] = {}
    recipients = {n.recipient_id for n, _ in to_send}
    for device in _with_language(Device.objects.filter(user_id__in=recipients)):
        devices.setdefault(device.user_id, []).append(device)
    plan = [(n, d, count) for n, count in to_send for d in devices.get(n.recipient_id, [])]
    now = timezone.now()
    # Marked first: a crash after sending must not push the same notifications again.
    done = Q(pk__in=[n.pk for n in notifications if n.type not in COLLAPSIBLE or n.pk in heads])
    for recipient_id, type_, head in covered:
        done |= Q(recipient_id=recipient_id, type=type_, pk__lt=head)
    Notification.objects.filter(done, pushed_at__isnull=True).update(pushed_at=now)
    _send(plan, run)
    return run


def notifications_push_retry(*, pairs: list[list[int]]) -> PushRun:
    """Try again the (notification, device, count) pairs that failed transiently: only those
    still there (a deleted device or notification is skipped)."""
    run = PushRun()
    if not push.is_enabled() or not pairs:
        return run
    notifications = Notification.objects.in_bulk({p[0] for p in pairs})
    devices = {d.pk: d for d in _with_language(Device.objects.filter(pk__in={p[1] for p in pairs}))}
    plan = []
    for notification_id, device_id, count in pairs:
        notification, device = notifications.get(notification_id), devices.get(device_id)
        if notification and device and device.user_id == notification.recipient_id:
            plan.append((notification, device, count))
    _send(plan, run)
    return run


def retry_delay(retries: int, retry_after: float | None) -> float:
    """Seconds before the next try: what FCM asked for, else exponential backoff with jitter."""
    if retry_after:
        return min(retry_after, 3600.0)
    return min(600.0, 5.0 * 2**retries) * random.uniform(0.8, 1.2)
