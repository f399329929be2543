"""The SQL a recommendation request runs: one statement for a listener's list, one for an
item's related items, each returning every candidate with the facts the blending needs.

A list statement reads the listener's seeds (recent plays and playlist saves, weighted by
recency), adds up the seeds' stored neighbours (never what the listener finished), finds
their favourite categories and the artists they follow, and returns, per content kind in
scope, the similar items that may be recommended and a few extra items of followed
artists and favourite categories (most played first), each row with its item's owner,
artist, category and language. A related statement does the same from one item's
neighbours. A list that is still short afterwards reads the trending snapshot with a
third, small statement. One round trip each, a handful of parameters (the text depends
only on the kinds in scope and whether a language is asked for, so it is built once per
shape), and the candidates arrive ready for the blending in selectors.py. PostgreSQL and
SQLite both run them (SQLite's POWER comes from Django's connection setup).
"""

import hashlib
import re
import weakref
from functools import lru_cache
from typing import NamedTuple

from django.db import connection

from catalog import kinds
from catalog.recommendations.models import EngagementSource
from cnt.models import ModerationStatus

SEEDS = 50  # recent plays a list is built from (and half as many playlist saves)
CANDIDATES = 300  # neighbours read per list
EXTRAS = 30  # items of followed artists and favourite categories, per kind
TOP_CATEGORIES = 3
FOLLOWED = 200  # followed artists considered
TRENDING = 100  # rows of the trending snapshot read


class Source:
    SIMILAR = 0
    EXTRA = 1
    TRENDING = 2


class Row(NamedTuple):
    """One candidate: where it comes from (Source), its ref, a score (similar: the summed
    neighbour score; trending: the rank), what the listener did with it and its facts."""

    source: int
    item_type: str
    item_id: int
    score: float
    best: float  # similar: the best summed score of the list (to scale by)
    finished: bool  # trending: the listener finished it
    followed: bool  # its artist is followed by the listener
    favourite: bool  # in one of the listener's favourite categories
    status: str
    owner_id: int
    artist_id: int | None
    category_id: int | None
    language: str


def _facts(kind: kinds.ContentKind, alias: str = "t") -> str:
    """The fact columns of a row of `kind`'s table (as in Row, from `status` on)."""
    model = kind.model
    owner = model._meta.get_field(kind.owner_field).column
    # Typed: an untyped NULL in a derived table becomes text, which no UNION with ids takes.
    artist = f"{alias}.artist_id" if kind.has_artist else "CAST(NULL AS BIGINT)"
    return f"{alias}.status, {alias}.{owner}, {artist}, {alias}.category_id, {alias}.language"


def _table(kind: kinds.ContentKind) -> str:
    return connection.ops.quote_name(kind.model._meta.db_table)


def _owner(kind: kinds.ContentKind, alias: str = "t") -> str:
    return f"{alias}.{kind.model._meta.get_field(kind.owner_field).column}"


def _finished(kind_sql: str, id_sql: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM playback_progress p WHERE p.user_id = %(user)s "
        f"AND p.content_type = {kind_sql} AND p.object_id = {id_sql} AND p.is_completed)"
    )


def _literal(value: str) -> str:
    """A constant of the code (a kind's name, a status) as an SQL string literal: kept out of
    the parameters, so a prepared statement's generic plan knows it."""
    return "'" + str(value).replace("'", "''") + "'"


def _in(values) -> str:
    return ", ".join(_literal(value) for value in values)


APPROVED = _literal(ModerationStatus.APPROVED)
SAVE = _literal(EngagementSource.SAVE)


def _followed(kind, alias="t") -> str:
    if not kind.has_artist:
        return "0 = 1"
    return f"{alias}.artist_id IN (SELECT artist_id FROM followed)"


_FLOAT = "CAST({} AS DOUBLE PRECISION)"

# The seeds as selectors used to weigh them: a play 1.0 if finished (0.6 if not), a save
# 1.0, times 0.99 per more recent one; an item both played and saved keeps the larger.
_LIST_HEAD = f"""
WITH recent AS (
    SELECT content_type AS item_type, object_id AS item_id, is_completed, updated_at, id
    FROM playback_progress WHERE user_id = %(user)s AND position_seconds > 0
    ORDER BY updated_at DESC, id DESC LIMIT {SEEDS}
),
saved AS (
    SELECT item_type, item_id, id FROM recommendation_engagements
    WHERE user_id = %(user)s AND source = {SAVE} ORDER BY id DESC LIMIT {SEEDS // 2}
),
seeds AS (
    SELECT item_type, item_id, MAX(weight) AS weight FROM (
        SELECT item_type, item_id,
            {_FLOAT.format("CASE WHEN is_completed THEN 1.0 ELSE 0.6 END")}
            * POWER({_FLOAT.format("0.99")},
                    ROW_NUMBER() OVER (ORDER BY updated_at DESC, id DESC) - 1) AS weight
        FROM recent
        UNION ALL
        SELECT item_type, item_id,
            POWER({_FLOAT.format("0.99")}, ROW_NUMBER() OVER (ORDER BY id DESC) - 1)
        FROM saved
    ) weighted GROUP BY item_type, item_id
),
summed AS (
    SELECT n.other_type AS item_type, n.other_id AS item_id, SUM(n.score * s.weight) AS score
    FROM {{seed_neighbours}}
    WHERE n.other_type IN ({{scope}})
    GROUP BY n.other_type, n.other_id
),
sim AS (
    SELECT item_type, item_id, score, MAX(score) OVER () AS best FROM (
        SELECT item_type, item_id, score FROM summed
        WHERE NOT {_finished("summed.item_type", "summed.item_id")}
        ORDER BY score DESC, item_type, item_id LIMIT {CANDIDATES}
    ) ranked
),
cats AS (
    SELECT category_id FROM ({{seed_categories}}) c WHERE category_id IS NOT NULL
    GROUP BY category_id ORDER BY SUM(weight) DESC, category_id LIMIT {TOP_CATEGORIES}
),
followed AS (
    SELECT artist_id FROM artist_followers WHERE user_id = %(user)s LIMIT {FOLLOWED}
)
"""


def _seed_neighbours() -> str:
    """The seeds joined with their neighbours, one indexed range per seed. PostgreSQL is
    told so (a lateral subquery it cannot flatten): on a small neighbour table it would
    rather read all of it, which costs more than the fifty ranges."""
    if connection.vendor == "postgresql":
        return (
            "seeds s CROSS JOIN LATERAL (SELECT other_type, other_id, score "
            "FROM recommendation_neighbours r "
            "WHERE r.item_type = s.item_type AND r.item_id = s.item_id OFFSET 0) n"
        )
    return (
        "seeds s JOIN recommendation_neighbours n "
        "ON n.item_type = s.item_type AND n.item_id = s.item_id"
    )


def _list_branches(kind: kinds.ContentKind, *, language: bool) -> list[str]:
    name, table, facts = f"'{kind.name}'", _table(kind), _facts(kind)
    flags = f"{_followed(kind)}, t.category_id IN (SELECT category_id FROM cats)"
    # Only what may be recommended (approved, not their own); `best` is of all of them.
    similar = (
        f"SELECT {Source.SIMILAR}, {name}, t.id, sim.score, sim.best, 0 = 1, {flags}, {facts} "
        f"FROM sim JOIN {table} t ON t.id = sim.item_id WHERE sim.item_type = {name} "
        f"AND t.status = {APPROVED} AND {_owner(kind)} <> %(user)s"
    )
    condition = "t.category_id IN (SELECT category_id FROM cats)"
    if kind.has_artist:
        condition = f"({condition} OR {_followed(kind)})"
    extras = (
        f"SELECT * FROM (SELECT {Source.EXTRA}, {name}, t.id, 0.0, 0.0, 0 = 1, {flags}, "
        f"{facts} FROM {table} t WHERE {condition} AND t.status = {APPROVED} "
        + ("AND t.language = %(language)s " if language else "")
        + f"AND t.id NOT IN (SELECT item_id FROM sim WHERE item_type = {name}) "
        f"AND {_owner(kind)} <> %(user)s "
        f"AND NOT {_finished(name, 't.id')} "
        f"ORDER BY t.play_count DESC, t.id DESC LIMIT {EXTRAS}) extra_{kind.name}"
    )
    return [similar, extras]


def _seed_categories() -> str:
    return " UNION ALL ".join(
        f"SELECT t.category_id, s.weight FROM seeds s JOIN {_table(kind)} t "
        f"ON t.id = s.item_id WHERE s.item_type = '{kind.name}'"
        for kind in kinds.playable_kinds()
    )


@lru_cache(maxsize=64)
def _list_sql(scope: tuple[str, ...], language: bool) -> str:
    head = _LIST_HEAD.format(
        scope=_in(scope),
        seed_neighbours=_seed_neighbours(),
        seed_categories=_seed_categories(),
    )
    branches = [
        branch
        for name in scope
        for branch in _list_branches(kinds.kind_get(name), language=language)
    ]
    return head + "\nUNION ALL\n".join(branches)


# Planning these statements costs about as much as running them. On PostgreSQL with the
# in-process connection pool (DB_POOL: connections, and so their prepared statements, live on
# across requests) each is prepared once per connection and then executed: after five
# executions PostgreSQL settles on a generic plan, which fits every listener (the kinds and
# statuses are literals, only ids and the language are parameters). Without the pool (a
# connection per request, perhaps through pgbouncer) or on SQLite they run as plain queries.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _prepares() -> bool:
    return connection.vendor == "postgresql" and "pool" in connection.settings_dict["OPTIONS"]


def _rows(sql: str, params: dict) -> list[Row]:
    with connection.cursor() as cursor:
        if not _prepares():
            cursor.execute(sql, params)
            return [Row._make(row) for row in cursor.fetchall()]
        names = list(dict.fromkeys(_PLACEHOLDER.findall(sql)))
        statement = "cnt_recommendations_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
        prepared = _PREPARED.setdefault(connection.connection, set())
        if statement not in prepared:
            text = _PLACEHOLDER.sub(lambda m: f"${names.index(m.group(1)) + 1}", sql)
            cursor.execute(f"PREPARE {statement} AS {text}")
            prepared.add(statement)
        cursor.execute(
            f"EXECUTE {statement}({', '.join(['%s'] * len(names))})", [params[n] for n in names]
        )
        return [Row._make(row) for row in cursor.fetchall()]


def list_candidates(*, user, scope: list[kinds.ContentKind], language: str | None) -> list[Row]:
    """Every candidate of `user`'s list over the kinds in `scope` (see the module)."""
    sql = _list_sql(tuple(kind.name for kind in scope), bool(language))
    params = {
        "user": user.pk,
        "language": language,
    }
    return _rows(sql, params)


# The first rows of the trending snapshot, then each with its facts and whether the listener
# finished it (read only when a list needs topping up).
_TRENDING_HEAD = f"""
WITH top AS (
    SELECT item_type, item_id, trending_rank FROM recommendation_items
    WHERE trending_rank IS NOT NULL AND item_type IN ({{scope}})
    ORDER BY trending_rank, item_type LIMIT {TRENDING}
)
"""


@lru_cache(maxsize=64)
def _trending_sql(scope: tuple[str, ...]) -> str:
    branches = []
    for kind in map(kinds.kind_get, scope):
        name = f"'{kind.name}'"
        branches.append(
            f"SELECT {Source.TRENDING}, {name}, t.id, top.trending_rank, 0.0, "
            f"{_finished(name, 't.id')}, 0 = 1, 0 = 1, {_facts(kind)} "
            f"FROM top JOIN {_table(kind)} t ON t.id = top.item_id WHERE top.item_type = {name}"
        )
    return _TRENDING_HEAD.format(scope=_in(scope)) + "\nUNION ALL\n".join(branches)


def trending_candidates(*, user, scope: list[kinds.ContentKind]) -> list[Row]:
    """The trending snapshot of the kinds in `scope` (its score: the rank), with facts."""
    sql = _trending_sql(tuple(kind.name for kind in scope))
    return _rows(sql, {"user": user.pk})


_RELATED_HEAD = f"""
WITH sim AS (
    SELECT other_type AS item_type, other_id AS item_id, score FROM recommendation_neighbours
    WHERE item_type = %(type)s AND item_id = %(pk)s AND other_type IN ({{scope}})
    ORDER BY score DESC, other_type, other_id LIMIT {CANDIDATES}
)
"""


def _related_branches(kind, *, of: kinds.ContentKind, language: bool) -> list[str]:
    name, table, facts = f"'{kind.name}'", _table(kind), _facts(kind)
    similar = (
        f"SELECT {Source.SIMILAR}, {name}, t.id, sim.score, 0.0, 0 = 1, 0 = 1, 0 = 1, {facts} "
        f"FROM sim JOIN {table} t ON t.id = sim.item_id WHERE sim.item_type = {name} "
        f"AND t.status = {APPROVED}"
    )
    condition = "t.category_id = %(category)s"
    if kind.has_artist:
        condition = f"({condition} OR t.artist_id = %(artist)s)"
    extras = (
        f"SELECT * FROM (SELECT {Source.EXTRA}, {name}, t.id, 0.0, 0.0, 0 = 1, 0 = 1, 0 = 1, "
        f"{facts} FROM {table} t WHERE {condition} AND t.status = {APPROVED} "
        + ("AND t.language = %(language)s " if language else "")
        + ("AND t.id <> %(pk)s " if kind.name == of.name else "")
        + f"AND t.id NOT IN (SELECT item_id FROM sim WHERE item_type = {name}) "
        f"ORDER BY t.play_count DESC, t.id DESC LIMIT {EXTRAS}"
        f") extra_{kind.name}"
    )
    return [similar, extras]


@lru_cache(maxsize=64)
def _related_sql(of: str, scope: tuple[str, ...], language: bool) -> str:
    head = _RELATED_HEAD.format(scope=_in(scope))
    of_kind = kinds.kind_get(of)
    branches = [
        branch
        for name in scope
        for branch in _related_branches(kinds.kind_get(name), of=of_kind, language=language)
    ]
    return head + "\nUNION ALL\n".join(branches)


def related_candidates(
    *, kind, pk: int, artist_id, category_id, scope, language: str | None
) -> list[Row]:
    """The neighbours of the item `pk` of `kind` and a few approved items of its artist or
    its category, over the kinds in `scope`, with their facts."""
    sql = _related_sql(kind.name, tuple(k.name for k in scope), bool(language))
    params = {
        "type": kind.name,
        "pk": pk,
        "artist": artist_id,
        "category": category_id,
        "language": language,
    }
    return _rows(sql, params)
