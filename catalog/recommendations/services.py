"""Writes for recommendations: the incremental co-occurrence update and the trending snapshot.

A run reads the play events and playlist saves past the watermark (those older than
RECOMMENDATIONS_SETTLE_SECONDS, so a transaction still open with a lower id is not
skipped), records each listener's new distinct engagements, adds one co-occurrence per
listener for every pair a new engagement makes with that listener's recent ones (at most
RECOMMENDATIONS_WINDOW of them, so a heavy listener costs a bounded amount), and recomputes
the top neighbours of the items that gained listeners. Everything is set-based SQL that
PostgreSQL and SQLite both run. The watermark row is locked for the run, so two runs never
count the same events; a run with nothing new is a no-op.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog import kinds
from catalog.models import PlayEvent, PlaylistItem
from catalog.recommendations import cache as list_cache
from catalog.recommendations import selectors
from catalog.recommendations.models import (
    CoOccurrence,
    Engagement,
    EngagementSource,
    ItemStats,
    Neighbour,
    Watermark,
)

WATERMARK = "co-occurrence"
# Pairs seen by few listeners are damped: score = cosine * n / (n + SHRINK).
SHRINK = 2.0
TRENDING_SIZE = 100
WORK_MEM = "128MB"


@dataclass
class UpdateResult:
    plays: int = 0
    saves: int = 0
    engagements: int = 0
    pairs: int = 0
    items: int = 0
    runs: int = 0


def _upper_bound(model, date_field: str, last_id: int, limit: int, settled) -> int:
    """The highest id to process: at most `limit` rows past `last_id`, stopping before the
    first row that has not settled yet."""
    rows = model.objects.filter(pk__gt=last_id).order_by("pk")
    limit_id = rows.values_list("pk", flat=True)[limit - 1 : limit].first()
    unsettled = rows.filter(**{f"{date_field}__gte": settled}).values_list("pk", flat=True).first()
    candidates = (limit_id, unsettled - 1 if unsettled is not None else None)
    bounds = [bound for bound in candidates if bound is not None]
    if bounds:
        return max(min(bounds), last_id)
    # Fewer than `limit` rows, all settled: everything there is.
    newest = rows.values_list("pk", flat=True).last()
    return newest or last_id


_PLAYS_SQL = """
INSERT INTO recommendation_engagements (user_id, item_type, item_id, source, batch)
SELECT DISTINCT e.user_id, e.content_type, e.object_id, %s, %s
FROM play_events e
WHERE e.id > %s AND e.id <= %s AND e.user_id IS NOT NULL AND e.content_type IN ({kinds})
ON CONFLICT (user_id, item_type, item_id) DO NOTHING
"""

_SAVES_SQL = """
INSERT INTO recommendation_engagements (user_id, item_type, item_id, source, batch)
SELECT DISTINCT p.owner_id, i.content_type, i.object_id, %s, %s
FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id
WHERE i.id > %s AND i.id <= %s AND i.content_type IN ({kinds})
ON CONFLICT (user_id, item_type, item_id) DO NOTHING
"""

# The new engagements of run %(batch)s, each listener's most recent %(window)s of them, with
# the same listener's most recent earlier ones: one co-occurrence per listener and pair.
_PAIRS_SQL = """
WITH fresh AS (
    SELECT id, user_id, item_type, item_id FROM (
        SELECT id, user_id, item_type, item_id,
            ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id DESC) AS n
        FROM recommendation_engagements WHERE batch = %(batch)s
    ) ranked WHERE n <= %(window)s
),
listeners AS (SELECT DISTINCT user_id FROM fresh),
earlier AS (
    SELECT user_id, item_type, item_id FROM (
        SELECT e.user_id, e.item_type, e.item_id,
            ROW_NUMBER() OVER (PARTITION BY e.user_id ORDER BY e.id DESC) AS n
        FROM recommendation_engagements e JOIN listeners l ON l.user_id = e.user_id
        WHERE e.batch < %(batch)s
    ) ranked WHERE n <= %(window)s
),
increments AS (
    SELECT f.item_type AS a_type, f.item_id AS a_id, e.item_type AS b_type, e.item_id AS b_id
    FROM fresh f JOIN earlier e ON e.user_id = f.user_id
    UNION ALL
    SELECT e.item_type, e.item_id, f.item_type, f.item_id
    FROM fresh f JOIN earlier e ON e.user_id = f.user_id
    UNION ALL
    SELECT f.item_type, f.item_id, g.item_type, g.item_id
    FROM fresh f JOIN fresh g ON g.user_id = f.user_id AND g.id <> f.id
)
INSERT INTO recommendation_pairs (item_type, item_id, other_type, other_id, listeners, batch)
SELECT a_type, a_id, b_type, b_id, COUNT(*), %(batch)s FROM increments WHERE 1 = 1
GROUP BY a_type, a_id, b_type, b_id
ON CONFLICT (item_type, item_id, other_type, other_id) DO UPDATE
SET listeners = recommendation_pairs.listeners + excluded.listeners, batch = excluded.batch
"""

_ITEMS_SQL = """
INSERT INTO recommendation_items (item_type, item_id, listeners)
SELECT item_type, item_id, COUNT(*) FROM recommendation_engagements
WHERE batch = %(batch)s GROUP BY item_type, item_id
ON CONFLICT (item_type, item_id) DO UPDATE
SET listeners = recommendation_items.listeners + excluded.listeners
"""

# The items that gained listeners in the run: their neighbour lists are recomputed. (A
# partner's list is not: it learns of the change when it next gains a listener itself,
# which for the items that have many neighbours is soon; this keeps a run's cost in
# proportion to what is new instead of to the whole table.)
_TOUCHED = (
    "SELECT DISTINCT item_type, item_id FROM recommendation_engagements WHERE batch = %(batch)s"
)

_NEIGHBOURS_DELETE_SQL = f"""
DELETE FROM recommendation_neighbours WHERE EXISTS (
    SELECT 1 FROM ({_TOUCHED}) t
    WHERE t.item_type = recommendation_neighbours.item_type
    AND t.item_id = recommendation_neighbours.item_id
)
"""

_NEIGHBOURS_INSERT_SQL = f"""
INSERT INTO recommendation_neighbours (item_type, item_id, other_type, other_id, score)
SELECT item_type, item_id, other_type, other_id, score FROM (
    SELECT item_type, item_id, other_type, other_id, score, ROW_NUMBER() OVER (
        PARTITION BY item_type, item_id ORDER BY score DESC, other_type, other_id
    ) AS n
    FROM (
        SELECT p.item_type, p.item_id, p.other_type, p.other_id,
            CAST(p.listeners AS DOUBLE PRECISION) * p.listeners
            / ((p.listeners + %(shrink)s)
               * SQRT(CAST(a.listeners AS DOUBLE PRECISION) * b.listeners)) AS score
        FROM ({_TOUCHED}) t
        JOIN recommendation_pairs p ON p.item_type = t.item_type AND p.item_id = t.item_id
        JOIN recommendation_items a ON a.item_type = p.item_type AND a.item_id = p.item_id
        JOIN recommendation_items b ON b.item_type = p.other_type AND b.item_id = p.other_id
        WHERE p.listeners >= %(min_listeners)s
    ) scored
) ranked WHERE n <= %(neighbours)s
"""


def _kinds_sql() -> tuple[str, list[str]]:
    names = [kind.name for kind in kinds.playable_kinds()]
    return ", ".join(["%s"] * len(names)), names


def _update_once(limit: int) -> UpdateResult:
    """One run over at most `limit` plays and `limit` saves, in one transaction."""
    Watermark.objects.get_or_create(name=WATERMARK)
    settled = timezone.now() - timedelta(seconds=settings.RECOMMENDATIONS_SETTLE_SECONDS)
    placeholders, names = _kinds_sql()
    with transaction.atomic():
        mark = Watermark.objects.select_for_update().get(name=WATERMARK)
        plays_to = _upper_bound(PlayEvent, "played_at", mark.last_play_id, limit, settled)
        saves_to = _upper_bound(PlaylistItem, "added_at", mark.last_save_id, limit, settled)
        if plays_to == mark.last_play_id and saves_to == mark.last_save_id:
            return UpdateResult()
        batch = mark.batch + 1
        result = UpdateResult(runs=1)
        result.plays = PlayEvent.objects.filter(pk__gt=mark.last_play_id, pk__lte=plays_to).count()
        result.saves = PlaylistItem.objects.filter(
            pk__gt=mark.last_save_id, pk__lte=saves_to
        ).count()
        params = {
            "batch": batch,
            "window": settings.RECOMMENDATIONS_WINDOW,
            "shrink": SHRINK,
            "min_listeners": settings.RECOMMENDATIONS_MIN_LISTENERS,
            "neighbours": settings.RECOMMENDATIONS_NEIGHBOURS,
        }
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The pair counts and the neighbour ranking sort and hash a few hundred
                # thousand rows per run: in memory rather than in temporary files.
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(
                _PLAYS_SQL.format(kinds=placeholders),
                [EngagementSource.PLAY, batch, mark.last_play_id, plays_to, *names],
            )
            result.engagements += max(cursor.rowcount, 0)
            cursor.execute(
                _SAVES_SQL.format(kinds=placeholders),
                [EngagementSource.SAVE, batch, mark.last_save_id, saves_to, *names],
            )
            result.engagements += max(cursor.rowcount, 0)
            if result.engagements:
                cursor.execute(_PAIRS_SQL, params)
                result.pairs = max(cursor.rowcount, 0)
                cursor.execute(_ITEMS_SQL, params)
                result.items = max(cursor.rowcount, 0)
                cursor.execute(_NEIGHBOURS_DELETE_SQL, params)
                cursor.execute(_NEIGHBOURS_INSERT_SQL, params)
        mark.last_play_id, mark.last_save_id, mark.batch = plays_to, saves_to, batch
        mark.save()
    return result


def recommendations_update(*, limit: int | None = None) -> UpdateResult:
    """Bring co-occurrence and neighbours up to date with the plays and saves since the last
    run (in runs of at most RECOMMENDATIONS_BATCH_EVENTS events each), then refresh the
    trending snapshot. Safe to run twice: a second run finds nothing new."""
    limit = limit or settings.RECOMMENDATIONS_BATCH_EVENTS
    total = UpdateResult()
    while True:
        step = _update_once(limit)
        if not step.runs:
            break
        for field in ("plays", "saves", "engagements", "pairs", "items", "runs"):
            setattr(total, field, getattr(total, field) + getattr(step, field))
    recommendations_trending_refresh()
    list_cache.generation_bump()
    return total


def recommendations_reset() -> None:
    """Forget everything derived (the next update reads every event again)."""
    with transaction.atomic():
        Watermark.objects.select_for_update().filter(name=WATERMARK).delete()
        for model in (Neighbour, CoOccurrence, ItemStats, Engagement):
            model.objects.all().delete()
    list_cache.generation_bump()


def recommendations_trending_refresh() -> int:
    """Snapshot what new listeners get: per playable kind, the trending items (the catalogue's
    own rule, selectors.content_trending) and then the most played, up to TRENDING_SIZE."""
    ranked = [
        ItemStats(item_type=kind.name, item_id=pk, trending_rank=rank)
        for kind in kinds.playable_kinds()
        for rank, pk in enumerate(selectors.trending_ids(kind, TRENDING_SIZE), start=1)
    ]
    with transaction.atomic():
        ItemStats.objects.filter(trending_rank__isnull=False).update(trending_rank=None)
        ItemStats.objects.bulk_create(
            ranked,
            update_conflicts=True,
            unique_fields=["item_type", "item_id"],
            update_fields=["trending_rank"],
            batch_size=1000,
        )
    return len(ranked)
