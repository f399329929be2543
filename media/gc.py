"""Find stored objects that no asset accounts for: originals without a row, and derived
runs that are neither published nor in progress."""

from collections.abc import Iterator
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from media import layout, storage
from media.models import MediaAsset


def _is_old(key: str, grace: timedelta) -> bool:
    try:
        modified = default_storage.get_modified_time(key)
    except (NotImplementedError, OSError, FileNotFoundError):
        return True
    return timezone.now() - modified > grace


def orphaned_keys(*, grace: timedelta = timedelta(hours=1)) -> Iterator[str]:
    """Every key under the media layout that no asset references (older than `grace`, so
    an upload between storing its file and committing its row is never touched)."""
    originals = set(MediaAsset.objects.values_list("storage_key", flat=True))
    live_runs = set()
    for asset_id, purpose, kind, output_prefix, meta in MediaAsset.objects.values_list(
        "id", "purpose", "kind", "output_prefix", "metadata"
    ):
        if output_prefix:
            live_runs.add(output_prefix)
        run_id = (meta or {}).get("run_id")
        if run_id:
            live_runs.add(layout.run_prefix(purpose or kind, asset_id, run_id))
    for prefix in sorted(set(layout.ORIGINAL_PREFIX.values())):
        for key in storage.list_keys(prefix):
            rest = key[len(prefix) + 1 :]
            if rest.startswith("processed/"):
                parts = rest.split("/")
                run = "/".join([prefix, *parts[:3]]) if len(parts) > 3 else None
                if run in live_runs:
                    continue
            elif key in originals:
                continue
            if _is_old(key, grace):
                yield key
