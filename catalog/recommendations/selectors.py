"""Reads for recommendations: a listener's list and an item's related items.

A list is a fixed number of indexed queries whatever the catalogue's size: the listener's
recent plays and saves (the seeds), one aggregate over the seeds' stored neighbours, the
artists they follow, then per content kind the facts of the candidates (approved, not
finished, whose artist) and a few items of followed artists and favourite categories.
Candidates are blended, at most RECOMMENDATIONS_PER_ARTIST per artist, and topped up from
the trending snapshot (all a new listener gets). Only approved items are ever returned.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from catalog import kinds, policies, selectors
from catalog.models import ArtistFollower, PlaybackProgress
from catalog.recommendations.models import Engagement, EngagementSource, ItemStats, Neighbour
from cnt.errors import NotFound
from cnt.models import ModerationStatus

MAX_RESULTS = 100  # the longest list a listener can page through
SEEDS = 50  # recent plays a list is built from
CANDIDATES = 300  # neighbours read per list
EXTRAS = 30  # items of followed artists and favourite categories, per kind
TOP_CATEGORIES = 3

# How a candidate's reasons add up (similar listeners' score is scaled to at most 1).
FOLLOWED_ARTIST = 0.5
FAVOURITE_CATEGORY = 0.2
TRENDING = 0.05


class Reason:
    SIMILAR = "similar"
    FOLLOWED_ARTIST = "followed_artist"
    ARTIST = "artist"
    CATEGORY = "category"
    TRENDING = "trending"

    choices = [
        (SIMILAR, "Listeners of the same things also played it"),
        (FOLLOWED_ARTIST, "From an artist you follow"),
        (ARTIST, "By the same artist"),
        (CATEGORY, "In a category you listen to, or the same category"),
        (TRENDING, "Trending"),
    ]


@dataclass
class Pick:
    item_type: str
    item_id: int
    reason: str
    score: float

    @property
    def ref(self) -> tuple[str, int]:
        return (self.item_type, self.item_id)


@dataclass
class _Facts:
    artist_key: tuple
    category_id: int | None
    is_candidate: bool  # approved, not finished by the listener, not their own
    language: str = ""  # the content's language code; blank when unknown


def _scope(item_type: str | None) -> list[kinds.ContentKind]:
    playable = kinds.playable_kinds()
    return [kind for kind in playable if item_type in (None, kind.name)]


def _finished(user, kind) -> Exists:
    return Exists(
        PlaybackProgress.objects.filter(
            user=user, content_type=kind.name, object_id=OuterRef("pk"), is_completed=True
        )
    )


def _fact_fields(kind) -> list[str]:
    return ["status", f"{kind.owner_field}_id", "category_id", "language"] + (
        ["artist_id"] if kind.has_artist else []
    )


def _facts_of(row: dict, kind, *, user, finished: bool) -> _Facts:
    owner_id = row.get(f"{kind.owner_field}_id")
    artist_id = row.get("artist_id")
    return _Facts(
        artist_key=("artist", artist_id) if artist_id else ("owner", owner_id),
        category_id=row["category_id"],
        language=row.get("language") or "",
        is_candidate=(
            row["status"] == ModerationStatus.APPROVED
            and not finished
            and not (user is not None and owner_id == user.pk)
        ),
    )


def _facts(refs, *, user) -> dict[tuple[str, int], _Facts]:
    """Facts of the referenced items, one query per kind present."""
    ids: dict[str, set[int]] = defaultdict(set)
    for item_type, item_id in refs:
        ids[item_type].add(item_id)
    found = {}
    for kind in kinds.playable_kinds():
        if not ids.get(kind.name):
            continue
        rows = kind.model.objects.filter(pk__in=ids[kind.name]).order_by()
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            rows = rows.annotate(finished=_finished(user, kind))
        fields = _fact_fields(kind)
        for row in rows.values("pk", *fields, *(["finished"] if signed_in else [])):
            found[(kind.name, row["pk"])] = _facts_of(
                row, kind, user=user if signed_in else None, finished=row.get("finished", False)
            )
    return found


def _extras(
    kind, *, user, artists, categories, exclude=(), language=None
) -> list[tuple[dict, bool]]:
    """A few approved items of `artists` or in `categories` (in `language`, when given),
    most played first."""
    condition = Q(category_id__in=categories) if categories else Q(pk__in=[])
    if artists and kind.has_artist:
        condition |= Q(artist_id__in=artists)
    rows = kind.model.objects.filter(condition, status=ModerationStatus.APPROVED)
    if language:
        rows = rows.filter(language=language)
    exclude = [pk for item_type, pk in exclude if item_type == kind.name]
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    if user is not None:
        rows = rows.exclude(**{f"{kind.owner_field}_id": user.pk}).exclude(_finished(user, kind))
    fields = _fact_fields(kind)
    return list(rows.order_by("-play_count", "-pk").values("pk", *fields)[:EXTRAS])


def _diversified(picks: list[Pick], facts: dict, limit: int, language=None) -> list[Pick]:
    """Best first, at most RECOMMENDATIONS_PER_ARTIST per artist (or owner), each item once;
    with `language`, only content in that language."""
    per_artist: Counter = Counter()
    chosen, seen = [], set()
    for pick in sorted(picks, key=lambda p: (-p.score, p.item_type, -p.item_id)):
        fact = facts.get(pick.ref)
        if pick.ref in seen or fact is None or not fact.is_candidate:
            continue
        if language and fact.language != language:
            continue
        if per_artist[fact.artist_key] >= settings.RECOMMENDATIONS_PER_ARTIST:
            continue
        per_artist[fact.artist_key] += 1
        seen.add(pick.ref)
        chosen.append(pick)
        if len(chosen) >= limit:
            break
    return chosen


def _trending(scope) -> list[Pick]:
    """The trending snapshot of the kinds in scope, interleaved by rank."""
    names = [kind.name for kind in scope]
    position = {kind.name: kind.position for kind in scope}
    rows = list(
        ItemStats.objects.filter(trending_rank__isnull=False, item_type__in=names)
        .order_by("trending_rank", "item_type")
        .values_list("item_type", "item_id", "trending_rank")[:MAX_RESULTS]
    )
    if not rows:
        # No update run yet (a new installation): ask the catalogue directly.
        rows = [
            (kind.name, pk, rank)
            for kind in scope
            for rank, pk in enumerate(trending_ids(kind, MAX_RESULTS), start=1)
        ]
    rows.sort(key=lambda r: (r[2], position[r[0]]))
    return [
        Pick(item_type, item_id, Reason.TRENDING, TRENDING * (1 - rank / (MAX_RESULTS + 1)))
        for item_type, item_id, rank in rows
    ]


def trending_ids(kind, size: int) -> list[int]:
    """Ids of a kind's trending items (the catalogue's rule, selectors.content_trending), then
    its most played, `size` in all."""
    ids = list(
        selectors.content_trending(model=kind.model)
        .prefetch_related(None)
        .values_list("pk", flat=True)[:size]
    )
    if len(ids) < size:
        more = (
            selectors.content_most_played(model=kind.model)
            .prefetch_related(None)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)[: size - len(ids)]
        )
        ids += list(more)
    return ids


_NEIGHBOURS_SQL = """
WITH seeds(item_type, item_id, weight) AS (VALUES {values})
SELECT n.other_type, n.other_id, SUM(n.score * s.weight) AS score
FROM recommendation_neighbours n
JOIN seeds s ON n.item_type = s.item_type AND n.item_id = s.item_id
WHERE n.other_type IN ({kinds}) AND NOT EXISTS (
    SELECT 1 FROM playback_progress p WHERE p.user_id = %s AND p.content_type = n.other_type
    AND p.object_id = n.other_id AND p.is_completed
)
GROUP BY n.other_type, n.other_id
ORDER BY score DESC, n.other_type, n.other_id
LIMIT {limit}
"""


def _similar(seeds: dict[tuple[str, int], float], scope, *, user) -> list[Pick]:
    """What the seeds' neighbours add up to, leaving out what the listener finished."""
    if not seeds:
        return []
    values = ", ".join(["(%s, %s, %s)"] * len(seeds))
    params = [
        value for (item_type, pk), weight in seeds.items() for value in (item_type, pk, weight)
    ]
    names = [kind.name for kind in scope]
    sql = _NEIGHBOURS_SQL.format(
        values=values, kinds=", ".join(["%s"] * len(names)), limit=CANDIDATES
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *names, user.pk])
        rows = cursor.fetchall()
    if not rows:
        return []
    best = max(score for _, _, score in rows) or 1.0
    return [Pick(t, pk, Reason.SIMILAR, score / best) for t, pk, score in rows]


def _seeds(user) -> dict[tuple[str, int], float]:
    """The listener's recent plays (finished ones weigh most) and playlist saves, the more
    recent the heavier."""
    seeds: dict[tuple[str, int], float] = {}
    plays = (
        PlaybackProgress.objects.filter(user=user, position_seconds__gt=0)
        .order_by("-updated_at", "-id")
        .values_list("content_type", "object_id", "is_completed")[:SEEDS]
    )
    for n, (item_type, pk, completed) in enumerate(plays):
        seeds[(item_type, pk)] = (1.0 if completed else 0.6) * (0.99**n)
    saves = (
        Engagement.objects.filter(user=user, source=EngagementSource.SAVE)
        .order_by("-id")
        .values_list("item_type", "item_id")[: SEEDS // 2]
    )
    for n, ref in enumerate(saves):
        seeds[ref] = max(seeds.get(ref, 0), 1.0 * (0.99**n))
    return seeds


def recommendations_for_user(
    *, user, item_type: str | None = None, language: str | None = None
) -> list[Pick]:
    """What `user` may like next (of `item_type`, or every playable kind; in `language`,
    when given), best first, at most MAX_RESULTS: never finished, never their own, only
    approved."""
    scope = _kinds_with_content(_scope(item_type))
    if not scope:
        return []
    seeds = _seeds(user)
    picks = _similar(seeds, scope, user=user)
    followed = list(
        ArtistFollower.objects.filter(user=user)
        .order_by()
        .values_list("artist_id", flat=True)[:200]
    )
    facts = _facts([*seeds, *(p.ref for p in picks)], user=user)
    weights: Counter = Counter()
    for ref, weight in seeds.items():
        fact = facts.get(ref)
        if fact is not None and fact.category_id is not None:
            weights[fact.category_id] += weight
    categories = [category for category, _ in weights.most_common(TOP_CATEGORIES)]
    followed_set = set(followed)
    for pick in picks:
        fact = facts.get(pick.ref)
        if fact is None:
            continue
        if fact.artist_key[0] == "artist" and fact.artist_key[1] in followed_set:
            pick.score += FOLLOWED_ARTIST
        if fact.category_id in categories:
            pick.score += FAVOURITE_CATEGORY
    known = {p.ref for p in picks}
    for kind in scope:
        if not (categories or (followed and kind.has_artist)):
            continue
        extras = _extras(
            kind,
            user=user,
            artists=followed,
            categories=categories,
            exclude=known,
            language=language,
        )
        for row in extras:
            fact = _facts_of(row, kind, user=user, finished=False)
            ref = (kind.name, row["pk"])
            facts[ref] = fact
            if fact.artist_key[0] == "artist" and fact.artist_key[1] in followed_set:
                picks.append(Pick(*ref, Reason.FOLLOWED_ARTIST, FOLLOWED_ARTIST))
            else:
                picks.append(Pick(*ref, Reason.CATEGORY, FAVOURITE_CATEGORY))
    chosen = _diversified(picks, facts, MAX_RESULTS, language)
    if len(chosen) < MAX_RESULTS:
        # Topped up from trending (only then read), after the personal ones and under the
        # same per-artist limit.
        taken = {p.ref for p in chosen}
        rest = [p for p in _trending(scope) if p.ref not in taken]
        facts.update(_facts([p.ref for p in rest if p.ref not in facts], user=user))
        floor = min((p.score for p in chosen), default=1.0)
        for p in rest:
            p.score = min(p.score, floor) - 1
        chosen = _diversified([*chosen, *rest], facts, MAX_RESULTS, language)
    return chosen


def related_items(
    *,
    user,
    kind: kinds.ContentKind,
    pk: int,
    item_type: str | None = None,
    language: str | None = None,
):
    """Items like the item `pk` of `kind` (404 unless the caller may see it): its neighbours,
    then approved items of its artist and of its category; approved only, not the item
    itself, diversified by artist."""
    fields = ["pk", "category_id", *(["artist_id"] if kind.has_artist else [])]
    found = policies.visible_to(user, kind.model.objects.filter(pk=pk)).values(*fields).first()
    if found is None:
        raise NotFound()
    scope = _kinds_with_content(_scope(item_type))
    rows = (
        Neighbour.objects.filter(
            item_type=kind.name, item_id=pk, other_type__in=[k.name for k in scope]
        )
        .order_by("-score", "other_type", "other_id")
        .values_list("other_type", "other_id", "score")[:CANDIDATES]
    )
    picks = [Pick(t, other, Reason.SIMILAR, score) for t, other, score in rows]
    own = (kind.name, pk)
    facts = _facts([p.ref for p in picks], user=None)
    artist = found.get("artist_id")
    categories = [found["category_id"]] if found["category_id"] else []
    known = {p.ref for p in picks} | {own}
    for other in scope:
        if not (categories or (artist and other.has_artist)):
            continue
        extras = _extras(
            other,
            user=None,
            artists=[artist] if artist else [],
            categories=categories,
            exclude=known,
            language=language,
        )
        for row in extras:
            ref = (other.name, row["pk"])
            facts[ref] = _facts_of(row, other, user=None, finished=False)
            same_artist = artist is not None and row.get("artist_id") == artist
            # After every neighbour: the artist's items first, then the category's.
            reason = Reason.ARTIST if same_artist else Reason.CATEGORY
            picks.append(Pick(*ref, reason, -0.5 if same_artist else -1.0))
    facts.pop(own, None)
    return _diversified(picks, facts, MAX_RESULTS, language)


def picks_with_content(*, picks: list[Pick]) -> list[tuple[Pick, object]]:
    """The picks with their content for the API (one query per kind), in order. Picks are
    approved items, which anyone may see; one that is not approved any more is left out."""
    ids: dict[str, list[int]] = defaultdict(list)
    for pick in picks:
        ids[pick.item_type].append(pick.item_id)
    content = {}
    for item_type, pks in ids.items():
        model = kinds.kind_get(item_type).model
        queryset = selectors.content_queryset(model=model).filter(
            status=ModerationStatus.APPROVED, pk__in=pks
        )
        content.update({(item_type, obj.pk): obj for obj in queryset.order_by()})
    return [(p, content[p.ref]) for p in picks if p.ref in content]


KINDS_CACHE_KEY = "recommendations:kinds-with-content"
KINDS_CACHE_SECONDS = 300


def _kinds_with_content(scope) -> list[kinds.ContentKind]:
    """The kinds of `scope` that have approved items (cached a few minutes): the others
    cost no queries."""
    names = cache.get(KINDS_CACHE_KEY)
    if names is None:
        names = [
            kind.name
            for kind in kinds.playable_kinds()
            if kind.model.objects.filter(status=ModerationStatus.APPROVED).exists()
        ]
        cache.set(KINDS_CACHE_KEY, names, KINDS_CACHE_SECONDS)
    return [kind for kind in scope if kind.name in names]
