"""Reads for the moderators' dashboard (the REST endpoint and the admin page): a fixed, small
number of aggregate queries whatever the amount of content."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog import kinds
from catalog.models import PlayEvent
from catalog.moderation import status_counts
from cnt.models import ModerationStatus
from media.models import AssetStatus, MediaAsset, Rendition, Transcript, TranscriptStatus

WINDOW_DAYS = 7


def dashboard_stats(*, now=None) -> dict:
    """Content by type and status, last-7-days activity and storage (len(types) + 4 queries)."""
    now = now or timezone.now()
    since = now - timedelta(days=WINDOW_DAYS)
    content = {}
    for kind in kinds.kinds():
        row = status_counts(kind.name)
        oldest = row.pop("oldest_pending_at")
        row["total"] = row["pending"] + row["approved"] + row["rejected"]
        row["oldest_pending_age_seconds"] = (
            max(0, int((now - oldest).total_seconds())) if oldest else None
        )
        content[kind.name] = row
    assets = MediaAsset.objects.aggregate(
        uploads=Count("pk", filter=Q(created_at__gte=since)),
        used_bytes=Sum("size_bytes"),
        files=Count("pk"),
    )
    return {
        "generated_at": now,
        "content": content,
        "pending_total": sum(row["pending"] for row in content.values()),
        "last_7_days": {
            "new_users": get_user_model().objects.filter(date_joined__gte=since).count(),
            "uploads": assets["uploads"],
            "plays": PlayEvent.objects.filter(played_at__gte=since).count(),
        },
        "storage": {
            "used_bytes": assets["used_bytes"] or 0,
            "files": assets["files"],
            "derived_bytes": Rendition.objects.aggregate(n=Sum("size_bytes"))["n"] or 0,
        },
    }


# --- the admin dashboard page -----------------------------------------------------------------

# Age buckets of pending work: (label, upper bound); the last bucket is "older".
AGE_BUCKETS = (
    ("under 1 hour", timedelta(hours=1)),
    ("1–24 hours", timedelta(days=1)),
    ("1–7 days", timedelta(days=7)),
)
SERIES_DAYS = (7, 30, 90)
FAILED_LISTED = 20


def pending_by_age(*, now=None) -> list[dict]:
    """Per kind, how many items wait in each age bucket (one query a kind)."""
    now = now or timezone.now()
    rows = []
    for kind in kinds.kinds():
        buckets, lower = {}, None
        for index, (_, upper) in enumerate(AGE_BUCKETS):
            window = Q(created_at__gt=now - upper)
            if lower is not None:
                window &= Q(created_at__lte=now - lower)
            buckets[f"b{index}"] = Count("pk", filter=window)
            lower = upper
        buckets["older"] = Count("pk", filter=Q(created_at__lte=now - lower))
        pending = kind.model.objects.filter(status=ModerationStatus.PENDING)
        counts = pending.aggregate(total=Count("pk"), **buckets)
        rows.append(
            {
                "kind": kind.name,
                "label": str(kind.model._meta.verbose_name_plural).capitalize(),
                "total": counts.pop("total"),
                "buckets": [counts[f"b{i}"] for i in range(len(AGE_BUCKETS))] + [counts["older"]],
            }
        )
    return rows


def _daily(queryset, field: str, since, days: int, today) -> list[tuple]:
    counts = dict(
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    first = today - timedelta(days=days - 1)
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


def activity_series(*, days: int = 30, now=None) -> dict[str, list[tuple]]:
    """Uploads, plays and new users per day over the last `days` days, oldest first, days
    without any as 0 (three grouped queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = timezone.make_aware(
        datetime.combine(today - timedelta(days=days - 1), time.min),
        timezone.get_current_timezone(),
    )
    return {
        "uploads": _daily(MediaAsset.objects.all(), "created_at", since, days, today),
        "plays": _daily(PlayEvent.objects.all(), "played_at", since, days, today),
        "new_users": _daily(get_user_model().objects.all(), "date_joined", since, days, today),
    }


def storage_by_kind() -> list[dict]:
    """Originals' bytes and files per asset kind, largest first (one grouped query)."""
    rows = MediaAsset.objects.values("kind").annotate(files=Count("pk"), bytes=Sum("size_bytes"))
    return sorted(
        ({"kind": row["kind"], "files": row["files"], "bytes": row["bytes"] or 0} for row in rows),
        key=lambda row: -row["bytes"],
    )


def failed_media_jobs() -> dict:
    """Failed processing runs (newest first, a few listed) and failed transcripts."""
    failed = MediaAsset.objects.filter(status=AssetStatus.FAILED)
    return {
        "assets": list(failed.select_related("owner").order_by("-updated_at")[:FAILED_LISTED]),
        "assets_total": failed.count(),
        "transcripts_total": Transcript.objects.filter(status=TranscriptStatus.FAILED).count(),
    }
