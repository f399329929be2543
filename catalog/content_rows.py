"""Content objects for the hot reads (a detail, a list page) by id, in one query, without
building that query every time.

The ORM compiled the same six-table select_related query and the renditions' prefetch on
every request, and PostgreSQL planned the six-way join every time: on a detail read each
cost more than running the query. Here the statement is written once per content model
and process (PostgreSQL): the item's own columns, and each related row (artist, category,
assets, their transcripts) as a scalar subselect giving a JSON array of its columns, the
streamed assets' renditions as a JSON array of those (subselects are planned one table at
a time, which is what made it cheap). Rows become the model instances the ORM would have
made (selectors.content_queryset: the same columns, deferred fields, related objects and
prefetched renditions), so serializers and policies see no difference; tests compare the
answers. Other databases (SQLite, the embedded default) read through content_queryset.
"""

from functools import lru_cache

from django.db import connection

from catalog import kinds, policies, selectors
from cnt.errors import NotFound
from media.models import MediaAsset, Rendition, Transcript

MAX_ID = 2**63 - 1
# What the renditions' prefetch loads (selectors.content_queryset).
RENDITION_FIELDS = ("id", "asset", "name", "kind", "status", *selectors.DOWNLOAD_COLUMNS)
# Column types whose JSON form (json_build_array) to_python() reads back exactly.
JSON_EXACT_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "CharField", "TextField", "SlugField", "EmailField",
    "URLField", "BooleanField", "FloatField", "UUIDField", "DateTimeField", "JSONField",
    "ForeignKey", "OneToOneField",
}  # fmt: skip


def is_supported() -> bool:
    return connection.vendor == "postgresql"


class _Related:
    """A related model's row as a JSON array of its columns, in the model's field order
    (what Model.from_db expects), or null when there is none."""

    def __init__(self, model, unshown=()):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.name not in unshown]
        unreadable = [f.name for f in self.fields if f.get_internal_type() not in JSON_EXACT_TYPES]
        if unreadable:
            raise TypeError(f"{model.__name__} fields not read back from JSON: {unreadable}")
        self.attnames = [f.attname for f in self.fields]

    def array_sql(self, alias: str) -> str:
        quote = connection.ops.quote_name
        return f"json_build_array({', '.join(f'{alias}.{quote(f.column)}' for f in self.fields)})"

    def subselect(self, alias: str, where: str) -> str:
        table = connection.ops.quote_name(self.model._meta.db_table)
        return f"(SELECT {self.array_sql(alias)} FROM {table} {alias} WHERE {where})"

    def values(self, array) -> list:
        return [
            None if value is None else field.to_python(value)
            for field, value in zip(self.fields, array, strict=True)
        ]

    def instance(self, array, db: str):
        if array is None:
            return None
        return self.model.from_db(db, self.attnames, self.values(array))


class _Plan:
    def __init__(self, model):
        kind = kinds.kind_for(model)
        quote = connection.ops.quote_name
        main = model._meta
        self.model = model
        self.attnames = [f.attname for f in main.concrete_fields]
        self.converters = []  # what the ORM applies to the item's own columns
        for i, field in enumerate(main.concrete_fields):
            col = field.get_col("c")
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((i, found, col))
        columns = [f"c.{quote(f.column)}" for f in main.concrete_fields]
        self.related = []  # (field on the item, the related row)
        for name in (*kind.asset_fields, *kind.related_fields):
            field = main.get_field(name)
            target = field.related_model
            related = _Related(
                target, selectors.UNSHOWN_ASSET_FIELDS if target is MediaAsset else ()
            )
            where = f"r.{quote(field.target_field.column)} = c.{quote(field.column)}"
            columns.append(related.subselect("r", where))
            self.related.append((field, related))
        self.transcript_asset = Transcript._meta.get_field("asset")
        transcripts = _Related(Transcript, selectors.UNSHOWN_TRANSCRIPT_FIELDS)
        self.media = [main.get_field(name) for name in kind.media_field_names]
        for field in self.media:
            where = f"r.{quote(self.transcript_asset.column)} = c.{quote(field.column)}"
            columns.append(transcripts.subselect("r", where))
        self.transcripts = transcripts
        rendition_asset = Rendition._meta.get_field("asset")
        self.renditions = _Related(
            Rendition,
            [f.name for f in Rendition._meta.concrete_fields if f.name not in RENDITION_FIELDS],
        )
        self.renditions_cache_name = rendition_asset.remote_field.cache_name
        for field in self.media:
            columns.append(
                f"(SELECT json_agg({self.renditions.array_sql('r')})"
                f" FROM {quote(Rendition._meta.db_table)} r"
                f" WHERE r.{quote(rendition_asset.column)} = c.{quote(field.column)})"
            )
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {quote(main.db_table)} c"
            f" WHERE c.{quote(main.pk.column)} = ANY(%s)"
        )

    def build(self, row, db: str):
        n = len(self.attnames)
        values = list(row[:n])
        for i, converters, col in self.converters:
            for converter in converters:
                values[i] = converter(values[i], col, connection)
        obj = self.model.from_db(db, self.attnames, values)
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
            self._prefetch_renditions(asset, row[n + len(self.media) + i] or [], db)
        return obj

    def _prefetch_renditions(self, asset, arrays: list, db: str) -> None:
        """What prefetch_related("<asset>__renditions") leaves on the asset."""
        renditions = []
        for array in arrays:
            rendition = self.renditions.instance(array, db)
            Rendition.asset.field.set_cached_value(rendition, asset)
            renditions.append(rendition)
        queryset = asset.renditions._apply_rel_filters(Rendition.objects.order_by())
        queryset._result_cache = renditions
        queryset._prefetch_done = True
        asset._prefetched_objects_cache = {self.renditions_cache_name: queryset}


@lru_cache(maxsize=32)
def _plan(model, vendor: str) -> _Plan:
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
        plan = _plan(model, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [wanted])
            rows = cursor.fetchall()
        found = [plan.build(row, connection.alias) for row in rows]
    by_id = {obj.pk: obj for obj in found}
    return [by_id[pk] for pk in wanted if pk in by_id]


def content_get_for_user(*, model, user, pk):
    """selectors.content_get_for_user by the statement above: fetch and authorize in one
    call, anything hidden from `user` is simply not found (the same rule as visible_to)."""
    found = content_by_ids(model=model, ids=[pk])
    if not found or not policies.can_view_content(user, found[0]):
        raise NotFound()
    return found[0]
