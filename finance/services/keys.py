"""Re-encrypt every encrypted finance column under the current key (key rotation).

Works on the raw tokens with SQL, batch by batch, each batch in its own transaction with its
rows locked, so it can run while the site serves requests and can be re-run at will: tokens
already under the current key are left alone.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from finance import crypto


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0
    failed: list[str] = field(default_factory=list)


def _encrypted_models():
    for model in apps.get_app_config("finance").get_models():
        fields = crypto.encrypted_fields(model)
        if fields:
            yield model, fields


def encryption_keys_rotate(
    *,
    batch_size: int = 500,
    include_derived: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> RotationReport:
    """Move every token to the first key of FINANCE_ENCRYPTION_KEYS.

    `on_progress(label, done, total)` is called after each batch. Tokens no key opens are
    reported in `failed` (as "table.column#id") and left unchanged.
    """
    report = RotationReport()
    quote = connection.ops.quote_name
    for model, fields in _encrypted_models():
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        columns = [f.column for f in fields]
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        label = model._meta.label
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            select = (
                f"SELECT {quote(pk_column)}, {', '.join(quote(c) for c in columns)} "
                f"FROM {quote(table)} WHERE {quote(pk_column)} IN "
                f"({', '.join(['%s'] * len(batch))}) ORDER BY {quote(pk_column)}{lock}"
            )
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, batch)
                for pk, *tokens in cursor.fetchall():
                    changes = {}
                    for column, token in zip(columns, tokens, strict=True):
                        if not token:
                            continue
                        if crypto.is_current(token):
                            report.current += 1
                            continue
                        try:
                            changes[column] = crypto.rotate(token, include_derived=include_derived)
                        except crypto.UndecryptableValue:
                            report.failed.append(f"{table}.{column}#{pk}")
                    if changes:
                        assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {assignments} "
                            f"WHERE {quote(pk_column)} = %s",
                            [*changes.values(), pk],
                        )
                        report.rotated += len(changes)
            if on_progress is not None:
                on_progress(label, min(start + batch_size, len(ids)), len(ids))
        if not ids and on_progress is not None:
            on_progress(label, 0, 0)
    return report
