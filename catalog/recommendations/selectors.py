"""Reads for recommendations: a listener's list and an item's related items.

A list is one query (queries.py) whatever the catalogue's size: the listener's seeds, the
sum of their stored neighbours, and a few items of followed artists and favourite
categories, each candidate with its facts (whose artist, which category and language).
Here they are blended, at most RECOMMENDATIONS_PER_ARTIST per artist, and topped up from
the trending snapshot when that leaves the list short (a second query; all a new
listener gets). Only approved items are ever returned.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef

from catalog import kinds, policies, selectors
from catalog.models import PlaybackProgress
from catalog.recommendations import cache as list_cache
from catalog.recommendations import queries
from cnt.errors import NotFound
from cnt.models import ModerationStatus

MAX_RESULTS = 100  # the longest list a listener can page through

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


def _diversified(picks: list[Pick], facts: dict, limit: int, language=None) -> list[Pick]:
    """Best first, at most RECOMMENDATIONS_PER_ARTIST per artist (or owner), each item once;
    with `language`, only content in that language."""
    per_artist: Counter = Counter()
    most = settings.RECOMMENDATIONS_PER_ARTIST
    chosen, seen = [], set()
    for pick in sorted(picks, key=lambda p: (-p.score, p.item_type, -p.item_id)):
        ref = (pick.item_type, pick.item_id)
        fact = facts.get(ref)
        if ref in seen or fact is None or not fact.is_candidate:
            continue
        if language and fact.language != language:
            continue
        if per_artist[fact.artist_key] >= most:
            continue
        per_artist[fact.artist_key] += 1
        seen.add(ref)
        chosen.append(pick)
        if len(chosen) >= limit:
            break
    return chosen


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


def _catalogue_trending(scope, *, user) -> tuple[list[tuple[str, int, int]], dict]:
    """Before the first update run (no snapshot yet): the catalogue's trending items of the
    kinds in scope as (type, id, rank), and their facts."""
    rows = [
        (kind.name, pk, rank)
        for kind in scope
        for rank, pk in enumerate(trending_ids(kind, MAX_RESULTS), start=1)
    ]
    return rows, _facts([(t, pk) for t, pk, _ in rows], user=user)


def _fact(row: queries.Row, *, user_id, finished=False) -> _Facts:
    return _Facts(
        artist_key=("artist", row.artist_id) if row.artist_id else ("owner", row.owner_id),
        category_id=row.category_id,
        language=row.language or "",
        is_candidate=(
            row.status == ModerationStatus.APPROVED
            and not finished
            and not (user_id is not None and row.owner_id == user_id)
        ),
    )


def _topped_up(chosen, trending, facts, language) -> list[Pick]:
    """`chosen` topped up from the trending rows (type, id, rank), after the personal ones
    and under the same per-artist limit."""
    position = {kind.name: kind.position for kind in kinds.playable_kinds()}
    trending.sort(key=lambda r: (r[2], position[r[0]]))
    taken = {(p.item_type, p.item_id) for p in chosen}
    floor = min((p.score for p in chosen), default=1.0)
    rest = [
        Pick(t, pk, Reason.TRENDING, min(TRENDING * (1 - rank / (MAX_RESULTS + 1)), floor) - 1)
        for t, pk, rank in trending
        if (t, pk) not in taken
    ]
    return _diversified([*chosen, *rest], facts, MAX_RESULTS, language)


def recommendations_for_user(
    *, user, item_type: str | None = None, language: str | None = None
) -> list[Pick]:
    """What `user` may like next (of `item_type`, or every playable kind; in `language`,
    when given), best first, at most MAX_RESULTS: never finished, never their own, only
    approved. Reused from the listener's list cache (cache.py) while it is current; else one
    query (queries.list_candidates) gives the candidates with their facts."""
    where = {"user_id": user.pk, "item_type": item_type, "language": language}
    cached, generations, found = list_cache.list_get(**where, extra_keys=[KINDS_CACHE_KEY])
    if cached is not None:
        return [Pick(*pick) for pick in cached]
    scope = _kinds_with_content(_scope(item_type), names=found.get(KINDS_CACHE_KEY))
    chosen = _computed(user, scope, language) if scope else []
    picks = [(p.item_type, p.item_id, p.reason, p.score) for p in chosen]
    list_cache.list_set(**where, generations=generations, picks=picks)
    return chosen


def _computed(user, scope, language) -> list[Pick]:
    rows = queries.list_candidates(user=user, scope=scope, language=language)
    picks, facts = [], {}
    for row in rows:
        ref = (row.item_type, row.item_id)
        facts[ref] = _fact(row, user_id=user.pk)
        followed = bool(row.followed) and row.artist_id is not None
        if row.source == queries.Source.SIMILAR:
            score = row.score / (row.best or 1.0)
            if followed:
                score += FOLLOWED_ARTIST
            if row.favourite:
                score += FAVOURITE_CATEGORY
            picks.append(Pick(*ref, Reason.SIMILAR, score))
        elif followed:
            picks.append(Pick(*ref, Reason.FOLLOWED_ARTIST, FOLLOWED_ARTIST))
        else:
            picks.append(Pick(*ref, Reason.CATEGORY, FAVOURITE_CATEGORY))
    chosen = _diversified(picks, facts, MAX_RESULTS, language)
    if len(chosen) < MAX_RESULTS:
        # Topped up from trending (only then read).
        trending = []
        for row in queries.trending_candidates(user=user, scope=scope):
            trending.append((row.item_type, row.item_id, int(row.score)))
            facts.setdefault(
                (row.item_type, row.item_id),
                _fact(row, user_id=user.pk, finished=row.finished),
            )
        if not trending:
            trending, found = _catalogue_trending(scope, user=user)
            facts = {**found, **facts}
        chosen = _topped_up(chosen, trending, facts, language)
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
    itself, diversified by artist. One query after the visibility check."""
    fields = ["pk", "category_id", *(["artist_id"] if kind.has_artist else [])]
    found = policies.visible_to(user, kind.model.objects.filter(pk=pk)).values(*fields).first()
    if found is None:
        raise NotFound()
    scope = _kinds_with_content(_scope(item_type))
    if not scope:
        return []
    artist = found.get("artist_id")
    rows = queries.related_candidates(
        kind=kind,
        pk=pk,
        artist_id=artist,
        category_id=found["category_id"],
        scope=scope,
        language=language,
    )
    picks, facts = [], {}
    for row in rows:
        ref = (row.item_type, row.item_id)
        facts[ref] = _fact(row, user_id=None)
        if row.source == queries.Source.SIMILAR:
            picks.append(Pick(*ref, Reason.SIMILAR, row.score))
        elif artist is not None and row.artist_id == artist:
            # After every neighbour: the artist's items first, then the category's.
            picks.append(Pick(*ref, Reason.ARTIST, -0.5))
        else:
            picks.append(Pick(*ref, Reason.CATEGORY, -1.0))
    facts.pop((kind.name, pk), None)
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
        queryset = selectors.content_summary_queryset(model=model).filter(
            status=ModerationStatus.APPROVED, pk__in=pks
        )
        content.update({(item_type, obj.pk): obj for obj in queryset.order_by()})
    return [(p, content[p.ref]) for p in picks if p.ref in content]


KINDS_CACHE_KEY = "recommendations:kinds-with-content"
KINDS_CACHE_SECONDS = 300


def _kinds_with_content(scope, names=None) -> list[kinds.ContentKind]:
    """The kinds of `scope` that have approved items (cached a few minutes; `names`: the
    cached value when the caller read it already): the others cost no queries."""
    if names is None:
        names = cache.get(KINDS_CACHE_KEY)
    if names is None:
        names = [
            kind.name
            for kind in kinds.playable_kinds()
            if kind.model.objects.filter(status=ModerationStatus.APPROVED).exists()
        ]
        cache.set(KINDS_CACHE_KEY, names, KINDS_CACHE_SECONDS)
    return [kind for kind in scope if kind.name in names]
