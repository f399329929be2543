"""Media metrics read at scrape time (cnt/observability.py): how fast transcodes run.

The realtime factor of a processed asset is its duration over the wall time from the
claim (processing_started_at) to publication (processed_at): 2.0 means a 10-minute sermon
took 5 minutes. Read from the database, so it covers every worker process and machine.
"""

from datetime import timedelta

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from media.models import AssetKind, AssetStatus, MediaAsset

WINDOW = timedelta(hours=24)
SAMPLE = 50


def realtime_factors(*, since=None, limit: int = SAMPLE) -> dict[str, list[float]]:
    """{kind: [factors]} of the latest assets processed since `since` (default: a day)."""
    since = since or timezone.now() - WINDOW
    rows = (
        MediaAsset.objects.filter(
            status=AssetStatus.READY,
            kind__in=[AssetKind.AUDIO, AssetKind.VIDEO],
            processed_at__gte=since,
            processing_started_at__isnull=False,
            duration_seconds__gt=0,
        )
        .order_by("-processed_at")
        .values_list("kind", "duration_seconds", "processing_started_at", "processed_at")[:limit]
    )
    factors: dict[str, list[float]] = {}
    for kind, duration, started, finished in rows:
        wall = (finished - started).total_seconds()
        if wall > 0:
            factors.setdefault(kind, []).append(duration / wall)
    return factors


class TranscodeCollector:
    def collect(self):
        family = GaugeMetricFamily(
            "cnt_transcode_realtime_factor",
            "Median media seconds processed per wall second, over the last day's assets.",
            labels=["kind"],
        )
        for kind, values in sorted(realtime_factors().items()):
            ordered = sorted(values)
            family.add_metric([kind], ordered[len(ordered) // 2])
        yield family
