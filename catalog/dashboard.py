"""Reads for the moderators' dashboard: a fixed, small number of aggregate queries."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalog import kinds
from catalog.models import PlayEvent
from catalog.moderation import status_counts
from media.models import MediaAsset, Rendition

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
