"""Search over approved podcasts, movies and music, and artists.

PostgreSQL: full-text search over a weighted document (title A, artist name B, tags B,
description C), ranked with ts_rank and served by the GIN expression indexes of migration
catalog/0003 (the SQL below must match them). When full text finds nothing, or only weak
matches, titles and artist names are also matched by trigram similarity (pg_trgm, GIN
indexed), so typos still find things. SQLite (the embedded default) degrades to a
case-insensitive substring search with a simple weighted score.

Bounded work: a search runs one query for the artists whose name matches (at most
ARTIST_MATCH_LIMIT), one page query (candidates of every type, at most CANDIDATES a
branch, ranked, with the total and best score from window functions), and one fetch per
type on the page; the trigram fallback adds one page query and its SET LOCAL. Ranking
recomputes each candidate's document (20-30 µs a row), which is why a broad term ranks a
bounded candidate set, and why typo look-ups (all look-alike titles are ranked) cost more.
"""

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.postgres.search import TrigramStrictWordSimilarity
from django.db import connection, models, transaction
from django.db.models import BooleanField, Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from catalog.models import Artist, Movie, MusicTrack, Podcast
from cnt.models import ModerationStatus


class SearchType(models.TextChoices):
    PODCAST = "podcast", "Podcast"
    MOVIE = "movie", "Movie"
    MUSIC = "music", "Music track"
    ARTIST = "artist", "Artist"


CONTENT_MODELS = {
    SearchType.PODCAST: Podcast,
    SearchType.MOVIE: Movie,
    SearchType.MUSIC: MusicTrack,
}

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Matches ranked per type and branch. A term found in more rows than this (a very broad
# query) is ranked among the first CANDIDATES rows the index yields (in table order, so
# pages stay consistent), which keeps its cost bounded.
CANDIDATES = 200
ARTIST_MATCH_LIMIT = 100
# Below this best full-text score (a description-only match scores about 0.12, a title
# match about 0.6), trigram matches on titles and names join the results.
LOW_RANK = 0.2
TRIGRAM_WORD_SIMILARITY = 0.45
TRIGRAM_WEIGHT = 0.5

CONFIG = "'english'::regconfig"
# Identical to the index expressions of catalog/migrations/0003_search_indexes.py.
DOCUMENT = (
    "setweight(to_tsvector({c}, coalesce({t}title, '')), 'A')"
    " || setweight(to_tsvector({c}, coalesce({t}tags, '[]'::jsonb)), 'B')"
    " || setweight(to_tsvector({c}, coalesce({t}description, '')), 'C')"
)
ARTIST_NAME = "to_tsvector({c}, coalesce({t}name, ''))"
TSQUERY = f"to_tsquery({CONFIG}, %s)"


def normalize(query: str) -> str:
    """Collapse whitespace and cap the length of what the user typed."""
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def terms_of(query: str) -> list[str]:
    """Words only (letters and digits in any script): no tsquery syntax reaches PostgreSQL."""
    words = re.findall(r"\w+", query.lower())
    return [word[:MAX_TERM_LENGTH] for word in words if word.strip("_")][:MAX_TERMS]


def tsquery_text(terms: list[str]) -> str:
    """Every term must match, the last one (or all) as a prefix: type-ahead finds `amaz…`."""
    return " & ".join(f"{term}:*" for term in terms)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _document_sql(model) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    return DOCUMENT.format(c=CONFIG, t=f"{table}.")


def _artist_name_sql() -> str:
    table = connection.ops.quote_name(Artist._meta.db_table)
    return ARTIST_NAME.format(c=CONFIG, t=f"{table}.")


@dataclass
class SearchHit:
    type: str
    id: int
    score: float
    obj: models.Model | None = None


@dataclass
class _Plan:
    """What one search matches: the mode, and the artists whose name matched (id -> rank)."""

    fuzzy: bool
    artist_rank_b: dict[int, float] = field(default_factory=dict)
    # False when full text already found nothing: the trigram pass need not ask again.
    fulltext: bool = True


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    mode: str


class SearchResults:
    """One search; `page(number, size)` runs it (see the module docstring for the queries)."""

    def __init__(self, *, query: str, types=None):
        self.query = normalize(query)
        self.terms = terms_of(self.query)
        requested = [SearchType(t) for t in (types or SearchType.values)]
        self.types = [t for t in SearchType if t in requested]

    def page(self, number: int, size: int) -> SearchPage:
        """Page `number` (from 1) of at most `size` hits, the total and the mode used."""
        if not self.terms:
            return SearchPage([], 0, "none")
        offset = (number - 1) * size
        if not is_postgres():
            plan = _Plan(fuzzy=False, artist_rank_b=self._artist_matches_substring())
            rows, total, _ = self._rows(plan, size, offset)
            return SearchPage(self._hydrate(rows), total, "substring")
        plan = _Plan(fuzzy=False, artist_rank_b=self._artist_matches())
        rows, total, top = self._rows(plan, size, offset)
        if total and top >= LOW_RANK:
            return SearchPage(self._hydrate(rows), total, "fulltext")
        # Content by an artist whose name merely looks like the query is not boosted: the
        # artist shows up as an artist result instead.
        plan = _Plan(fuzzy=True, artist_rank_b=plan.artist_rank_b, fulltext=bool(total))
        rows, total, _ = self._rows(plan, size, offset)
        return SearchPage(self._hydrate(rows), total, "fuzzy")

    def _rows(self, plan: _Plan, limit: int, offset: int) -> tuple[list[dict], int, float]:
        """One query: the page's (kind, id, score) rows, with the total and the best score of
        all candidates computed by window functions over the same scan."""
        sql, params = self._union(plan).query.sql_with_params()
        # An item found by two branches (full text and trigram) counts once, scores summed.
        query = (
            "SELECT g.kind, g.id, g.score, COUNT(*) OVER () AS total, MAX(g.score) OVER () "
            "FROM (SELECT u.kind, u.id, SUM(u.score) AS score "
            f"FROM ({sql}) AS u GROUP BY u.kind, u.id) AS g "
            "ORDER BY g.score DESC, g.id DESC, g.kind LIMIT %s OFFSET %s"
        )
        # Only the trigram pass needs a transaction (for its SET LOCAL).
        scope = transaction.atomic() if plan.fuzzy else nullcontext()
        with scope, connection.cursor() as cursor:
            if plan.fuzzy:
                # `%>` reads its threshold from this setting; SET LOCAL scopes it to this
                # transaction (a session-wide value would leak into pooled connections).
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(TRIGRAM_WORD_SIMILARITY)],
                )
            cursor.execute(query, [*params, limit, offset])
            fetched = cursor.fetchall()
            if not fetched and offset:
                # Past the end: the total and best score still decide the mode and the 404.
                cursor.execute(query, [*params, 1, 0])
                first = cursor.fetchone()
                return [], int(first[3]) if first else 0, float(first[4]) if first else 0.0
        if not fetched:
            return [], 0, 0.0
        rows = [{"kind": row[0], "id": row[1], "score": float(row[2])} for row in fetched]
        return rows, int(fetched[0][3]), float(fetched[0][4] or 0.0)

    def _trigram_match(self, column: str) -> Q:
        """Titles with a word close to the query (lenient: catches one-letter slips)."""
        return Q(**{f"{column}__trigram_word_similar": self.query})

    def _trigram_score(self, column: str):
        """Ranked by strict word similarity, which prefers whole words over fragments."""
        return TrigramStrictWordSimilarity(self.query, column) * Value(TRIGRAM_WEIGHT)

    # -- artists whose name matches (their content ranks as if the name were in it, weight B)

    def _artist_matches(self) -> dict[int, float]:
        name = _artist_name_sql()
        rank = RawSQL(f"ts_rank(setweight({name}, 'B'), {TSQUERY})", [self._tsquery])
        condition = RawSQL(f"{name} @@ {TSQUERY}", [self._tsquery], BooleanField())
        rows = (
            Artist.objects.filter(condition)
            .annotate(rank=Cast(rank, FloatField()))
            .order_by("-rank", "id")
            .values_list("id", "rank")[:ARTIST_MATCH_LIMIT]
        )
        return {artist_id: float(rank) for artist_id, rank in rows}

    def _artist_matches_substring(self) -> dict[int, float]:
        rows = Artist.objects.filter(name__icontains=self.query).values_list("id", flat=True)
        return dict.fromkeys(rows[:ARTIST_MATCH_LIMIT], 0.4)

    @cached_property
    def _tsquery(self) -> str:
        return tsquery_text(self.terms)

    # -- the per-type querysets and their union

    def _artist_boost(self, plan: _Plan, model):
        """The matched artist's rank for each row (0 for others)."""
        if not plan.artist_rank_b:
            return Value(0.0)
        if not is_postgres():
            return Case(
                *[When(artist_id=i, then=Value(rank)) for i, rank in plan.artist_rank_b.items()],
                default=Value(0.0),
                output_field=FloatField(),
            )
        # One array lookup instead of a CASE with a branch per artist (cheaper to build too).
        column = f"{connection.ops.quote_name(model._meta.db_table)}.artist_id"
        return RawSQL(
            f"COALESCE((%s::float8[])[array_position(%s::bigint[], {column})], 0)",
            [list(plan.artist_rank_b.values()), list(plan.artist_rank_b)],
            FloatField(),
        )

    def _branch(self, queryset, kind: str, condition, score, *, best_first: bool = False):
        queryset = (
            queryset.filter(condition)
            .annotate(kind=Value(kind), score=Cast(score, FloatField()))
            .values("kind", "id", "score")
        )
        # Full-text branches stay unordered, so their LIMIT stops the index scan early. A
        # trigram branch is ordered: unordered, a LIMIT invites the planner to scan the
        # table computing similarity row by row (its cost is underestimated), and the best
        # look-alikes are the ones worth keeping anyway.
        return queryset.order_by("-score", "-id") if best_first else queryset.order_by()

    def _content_branches(self, search_type: SearchType, plan: _Plan) -> list:
        model = CONTENT_MODELS[search_type]
        base = model.objects.filter(status=ModerationStatus.APPROVED)
        kind = search_type.value
        if not is_postgres():
            condition = (
                Q(title__icontains=self.query)
                | Q(description__icontains=self.query)
                | Q(tags__icontains=self.query)
            )
            score = Case(
                When(title__icontains=self.query, then=Value(1.0)),
                When(tags__icontains=self.query, then=Value(0.4)),
                default=Value(0.2),
                output_field=FloatField(),
            )
            if plan.artist_rank_b:
                condition |= Q(artist_id__in=list(plan.artist_rank_b))
                score = score + self._artist_boost(plan, model)
            return [self._branch(base, kind, condition, score)]
        document = _document_sql(model)
        condition = Q(RawSQL(f"({document}) @@ {TSQUERY}", [self._tsquery], BooleanField()))
        score = RawSQL(f"ts_rank({document}, {TSQUERY})", [self._tsquery], FloatField())
        if plan.artist_rank_b:
            condition |= Q(artist_id__in=list(plan.artist_rank_b))
            score = score + self._artist_boost(plan, model)
        branches = [self._branch(base, kind, condition, score)] if plan.fulltext else []
        if plan.fuzzy:
            # A branch of its own: in one OR, every trigram candidate would also recompute
            # the full-text document on recheck.
            branches.append(
                self._branch(
                    base,
                    kind,
                    self._trigram_match("title"),
                    self._trigram_score("title"),
                    best_first=True,
                )
            )
        return branches

    def _artist_branches(self, plan: _Plan) -> list:
        base = Artist.objects.filter(user__is_active=True)
        kind = SearchType.ARTIST.value
        if not is_postgres():
            return [self._branch(base, kind, Q(name__icontains=self.query), Value(1.0))]
        name = _artist_name_sql()
        condition = RawSQL(f"{name} @@ {TSQUERY}", [self._tsquery], BooleanField())
        score = RawSQL(f"ts_rank(setweight({name}, 'A'), {TSQUERY})", [self._tsquery])
        branches = [self._branch(base, kind, condition, score)] if plan.fulltext else []
        if plan.fuzzy:
            branches.append(
                self._branch(
                    base,
                    kind,
                    self._trigram_match("name"),
                    self._trigram_score("name"),
                    best_first=True,
                )
            )
        return branches

    def _union(self, plan: _Plan):
        """Every requested type's candidates (at most CANDIDATES a branch on PostgreSQL)."""
        querysets = []
        for search_type in self.types:
            if search_type == SearchType.ARTIST:
                branches = self._artist_branches(plan)
            else:
                branches = self._content_branches(search_type, plan)
            # Capping each branch bounds the ranking work of broad queries: the index scan
            # stops after CANDIDATES matches. SQLite cannot slice inside a UNION (and holds
            # small catalogues), so it is not capped there.
            querysets += [b[:CANDIDATES] for b in branches] if is_postgres() else branches
        first, *rest = querysets
        return first.union(*rest, all=True) if rest else first

    # -- fetching the page's rows, one query per type present

    def _hydrate(self, rows) -> list[SearchHit]:
        hits = [SearchHit(type=row["kind"], id=row["id"], score=row["score"]) for row in rows]
        by_type: dict[str, list[int]] = {}
        for hit in hits:
            by_type.setdefault(hit.type, []).append(hit.id)
        objects = {}
        for type_name, ids in by_type.items():
            # Only what a result shows: content rows are wide (lyrics, cast, tags, ...).
            if type_name == SearchType.ARTIST:
                queryset = Artist.objects.select_related("cover_image").only(
                    "name", "bio", "cover_image__id", "cover_image__kind"
                )
            else:
                queryset = (
                    CONTENT_MODELS[SearchType(type_name)]
                    .objects.select_related("artist", "thumbnail")
                    .only(
                        "title",
                        "description",
                        "duration_seconds",
                        "artist__id",
                        "artist__name",
                        "thumbnail__id",
                        "thumbnail__kind",
                    )
                )
            for obj in queryset.filter(pk__in=ids).order_by():
                objects[(type_name, obj.pk)] = obj
        for hit in hits:
            hit.obj = objects.get((hit.type, hit.id))
        return [hit for hit in hits if hit.obj is not None]


def search(*, query: str, types=None) -> SearchResults:
    """Approved podcasts, movies and music tracks, and artists, best match first."""
    return SearchResults(query=query, types=types)
