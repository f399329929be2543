"""Content objects for the hot reads (a detail, a list page) in one statement written once
per content model and process (cnt/rows.py), on PostgreSQL.

The ORM compiled the six-table select_related query and the renditions' prefetch on
every request, and PostgreSQL planned the six-way join every time (about 1.5 ms for one
row): each cost more than running the query. The statement holds the item's columns,
each related row (artist, category, assets, their transcripts) as a JSON subselect, and
the streamed assets' renditions as JSON arrays. Rows become the instances
selectors.content_queryset makes (the same columns, deferred fields, related objects and
prefetched renditions); tests compare the object graphs and the answers. Other databases
(SQLite, the embedded default) read through content_queryset.
"""

from functools import lru_cache

from django.db import connection

from catalog import kinds, policies, selectors
from cnt import rows
from cnt.errors import NotFound
from media.models import MediaAsset, Rendition, Transcript

MAX_ID = 2**63 - 1
# What the renditions' prefetch loads (selectors.content_queryset).
RENDITION_FIELDS = ("id", "asset", "name", "kind", "status", *selectors.DOWNLOAD_COLUMNS)

is_supported = rows.is_supported


class _Plan:
    def __init__(self, model):
        kind = kinds.kind_for(model)
        quote = rows.quote
        main = model._meta
        self.columns = rows.Columns(model, "c")
        select = list(self.columns.sql)
        self.related = []  # (field on the item, its row)
        for name in (*kind.asset_fields, *kind.related_fields):
            field = main.get_field(name)
            target = field.related_model
            unshown = selectors.UNSHOWN_ASSET_FIELDS if target is MediaAsset else ()
            related = rows.JsonRow(target, unshown)
            where = f"r.{quote(field.target_field.column)} = c.{quote(field.column)}"
            select.append(related.subselect("r", where))
            self.related.append((field, related))
        self.transcript_asset = Transcript._meta.get_field("asset")
        self.transcripts = rows.JsonRow(Transcript, selectors.UNSHOWN_TRANSCRIPT_FIELDS)
        self.media = [main.get_field(name) for name in kind.media_field_names]
        for field in self.media:
            where = f"r.{quote(self.transcript_asset.column)} = c.{quote(field.column)}"
            select.append(self.transcripts.subselect("r", where))
        self.renditions = rows.JsonRow(
            Rendition,
            [f.name for f in Rendition._meta.concrete_fields if f.name not in RENDITION_FIELDS],
        )
        rendition_asset = quote(Rendition._meta.get_field("asset").column)
        for field in self.media:
            select.append(
                f"(SELECT json_agg({self.renditions.array_sql('r')})"
                f" FROM {quote(Rendition._meta.db_table)} r"
                f" WHERE r.{rendition_asset} = c.{quote(field.column)})"
            )
        select = f"SELECT {', '.join(select)} FROM {quote(main.db_table)} c"
        pk = f"c.{quote(main.pk.column)}"
        self.by_ids = f"{select} WHERE {pk} = ANY(%s)"
        # A page: the ids of a sliced queryset ({ids}), then their rows in that order.
        self.page = (
            "WITH page AS MATERIALIZED (SELECT ARRAY({ids}) AS ids) "
            f"{select} CROSS JOIN page WHERE {pk} = ANY(page.ids)"
            f" ORDER BY array_position(page.ids, {pk})"
        )

    def build(self, row, db: str):
        obj = self.columns.instance(row, db)
        n = len(self.columns)
        assets = {}
        for field, related in self.related:
            value = related.instance(row[n], db)
            field.set_cached_value(obj, value)
            assets[field.name] = value
            n += 1
        for i, field in enumerate(self.media):
            asset = assets[field.name]
            if asset is None:
                continue
            transcript = self.transcripts.instance(row[n + i], db)
            self.transcript_asset.remote_field.set_cached_value(asset, transcript)
            if transcript is not None:
                self.transcript_asset.set_cached_value(transcript, asset)
            arrays = row[n + len(self.media) + i] or []
            renditions = [self.renditions.instance(array, db) for array in arrays]
            rows.prefetched(asset, "renditions", renditions)
        return obj


@lru_cache(maxsize=32)
def _plan(model) -> _Plan:
    return _Plan(model)


def content_by_ids(*, model, ids) -> list:
    """The items of `model` with these ids that exist, in the order of `ids`, each loaded
    as selectors.content_queryset loads it. No visibility rule: callers apply it."""
    wanted = [int(pk) for pk in ids if 0 < int(pk) <= MAX_ID]
    if not wanted:
        return []
    if not is_supported():
        found = selectors.content_queryset(model=model).filter(pk__in=wanted)
    else:
        plan = _plan(model)
        with connection.cursor() as cursor:
            cursor.execute(plan.by_ids, [wanted])
            fetched = cursor.fetchall()
        found = [plan.build(row, connection.alias) for row in fetched]
    by_id = {obj.pk: obj for obj in found}
    return [by_id[pk] for pk in wanted if pk in by_id]


def content_page_source(*, model, queryset) -> rows.Page:
    """What a paginator reads a listing from (PostgreSQL): `queryset` (visibility, filters
    and order; no related rows needed) counts, and a page of it is loaded in one statement
    with its rows, each as content_queryset loads it."""

    def load(page) -> list:
        ids = rows.ids_of(page)
        if ids is None:
            return []
        plan = _plan(model)
        with connection.cursor() as cursor:
            cursor.execute(plan.page.replace("{ids}", ids[0], 1), ids[1])
            fetched = cursor.fetchall()
        return [plan.build(row, connection.alias) for row in fetched]

    return rows.Page(queryset, load)


def content_get_for_user(*, model, user, pk):
    """selectors.content_get_for_user by the statement above: fetch and authorize in one
    call, anything hidden from `user` is simply not found (the same rule as visible_to)."""
    found = content_by_ids(model=model, ids=[pk])
    if not found or not policies.can_view_content(user, found[0]):
        raise NotFound()
    return found[0]
