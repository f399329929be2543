"""Model instances from statements written once per process (PostgreSQL), for the hot reads.

The ORM builds a query on every call, and a select_related() query joins every related
table, which PostgreSQL plans anew each time: for the catalogue's detail and list reads and
the community feed, building and planning cost more than running. Here a read is a
statement written once: the model's own columns, and each related row as a scalar
subselect giving a JSON array of its columns (subselects are planned one table at a time).
Rows become the instances the ORM would have made: the same loaded and deferred fields,
the related objects cached on them, converted as the ORM converts (typed columns through
the backend's and the fields' converters; JSON values back to the fields' Python types).
"""

import uuid
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection


def _timestamp(value: str) -> datetime:
    # PostgreSQL writes a timestamptz in JSON as ISO 8601 with its offset.
    return datetime.fromisoformat(value)


# How a column comes back from its JSON form (json_build_array), by field type: as it is
# (numbers, strings, booleans, JSON), or converted as to_python() would. Other types are
# refused when a statement is written.
JSON_READERS = {
    **dict.fromkeys(
        ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
         "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
         "PositiveSmallIntegerField", "CharField", "TextField", "SlugField", "EmailField",
         "URLField", "BooleanField", "JSONField"),
        None,
    ),
    "FloatField": float,  # 120.0 is written 120
    "UUIDField": uuid.UUID,
    "DateTimeField": _timestamp,
}  # fmt: skip


def is_supported() -> bool:
    return connection.vendor == "postgresql"


def _json_reader(field):
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind not in JSON_READERS:
        raise TypeError(f"{field.model.__name__}.{field.name} ({kind}) is not read from JSON")
    return JSON_READERS[kind]


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


class Columns:
    """A model's own columns, typed, from `alias`: the first `len(self)` of a row."""

    def __init__(self, model, alias: str):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.sql = [f"{alias}.{quote(f.column)}" for f in self.fields]
        self.converters = []  # what the ORM applies to them
        for i, field in enumerate(self.fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((i, found, col))

    def __len__(self) -> int:
        return len(self.fields)

    def instance(self, row, db: str):
        values = list(row[: len(self.fields)])
        for i, converters, col in self.converters:
            for converter in converters:
                values[i] = converter(values[i], col, connection)
        return self.model.from_db(db, self.attnames, values)


class JsonRow:
    """A related model's row as a JSON array of its loaded columns in the model's field
    order (what Model.from_db expects; `unshown` fields are deferred), followed by the
    rows of `related` (forward relations of it, e.g. a user's avatar), or null."""

    def __init__(self, model, unshown=(), related: dict | None = None):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.name not in unshown]
        self.attnames = [f.attname for f in self.fields]
        self.readers = [(i, r) for i, f in enumerate(self.fields) if (r := _json_reader(f))]
        self.related = [(model._meta.get_field(name), row) for name, row in (related or {}).items()]

    def array_sql(self, alias: str) -> str:
        items = [f"{alias}.{quote(f.column)}" for f in self.fields]
        for n, (field, row) in enumerate(self.related):
            inner = f"{alias}_{n}"
            where = f"{inner}.{quote(field.target_field.column)} = {alias}.{quote(field.column)}"
            items.append(row.subselect(inner, where))
        return f"json_build_array({', '.join(items)})"

    def subselect(self, alias: str, where: str) -> str:
        table = quote(self.model._meta.db_table)
        return f"(SELECT {self.array_sql(alias)} FROM {table} {alias} WHERE {where})"

    def instance(self, array, db: str):
        if array is None:
            return None
        values = list(array[: len(self.fields)])
        for i, reader in self.readers:
            if values[i] is not None:
                values[i] = reader(values[i])
        obj = self.model.from_db(db, self.attnames, values)
        for n, (field, row) in enumerate(self.related):
            field.set_cached_value(obj, row.instance(array[len(self.fields) + n], db))
        return obj


def prefetched(instance, related_name: str, objects: list) -> None:
    """Leave `objects` on `instance` as prefetch_related(related_name) leaves them: read by
    `instance.<related_name>.all()` without a query, each pointing back at `instance`."""
    manager = getattr(instance, related_name)
    back = manager.field
    for obj in objects:
        back.set_cached_value(obj, instance)
    queryset = manager._apply_rel_filters(manager.model._default_manager.order_by())
    queryset._result_cache = objects
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[back.remote_field.cache_name] = queryset


def ids_of(queryset) -> tuple[str, list] | None:
    """The SQL and parameters of `queryset`'s primary keys, in its order and slice; None
    when it can match nothing (`none()`, an empty `__in`)."""
    try:
        return queryset.values_list("pk", flat=True).query.sql_with_params()
    except EmptyResultSet:
        return None


class Page:
    """Stands in for a queryset in Django's Paginator: counted by the queryset, a page of
    it loaded by `load(sliced queryset)` (one statement, ids and rows together)."""

    def __init__(self, queryset, load):
        self.queryset = queryset
        self.load = load

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a page is read by slice")
        return self.load(self.queryset[index])
