"""Writes for edit jobs: create (checked against the real media), run, cancel.

A job reads its sources (never modifies them), runs one FFmpeg pass and stores the output
as a new asset through media.services, so the result is validated and processed like any
upload. How a run claims, reports, cancels and cleans up is in runner.py.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cnt.errors import Conflict, InvalidInput, RateLimited
from media import storage
from media.editing import commands, fonts, runner
from media.editing.operations import (
    AUDIO,
    VIDEO,
    Context,
    OperationError,
    asset_references,
    plan,
    validate_operations,
)
from media.models import EditJob, EditJobStatus, MediaAsset
from media.probe import ProbeError, ProbeResult, probe_measured
from media.selectors import AssetWording, asset_get_usable_for_owner

ACTIVE = runner.ACTIVE


class EditLimitReached(RateLimited):
    default_detail = _("You have too many edits in progress; wait for one to finish.")
    default_code = "too_many_edits"


WORDING = AssetWording(
    not_found="No such asset.",
    wrong_kind="The asset is not {expected} file.",
    not_ready="The asset is not ready yet.",
)


# --- helpers --------------------------------------------------------------------------------


def _invalid(path: tuple, message: str, code: str = "invalid") -> InvalidInput:
    """A 400 naming the field at `path`, e.g. ("operations", 0, "end") -> operations.0.end.

    `code` says why; the body's code stays "invalid", as for every field error."""
    return InvalidInput(errors={".".join(str(key) for key in path): [message]})


def _output_format(kind: str, value: str) -> str:
    allowed = commands.AUDIO_OUTPUT_FORMATS if kind == AUDIO else commands.VIDEO_OUTPUT_FORMATS
    value = (value or allowed[0]).lower()
    if value not in allowed:
        raise _invalid(("output_format",), f"Use one of: {', '.join(allowed)}.")
    return value


def _primary_ids(operations: list[dict], source) -> tuple[list[str], list[tuple]]:
    """The ids of the media the job starts from, with the error path of each."""
    if operations[0]["type"] == "merge":
        if source:
            raise _invalid(("source",), "A merge takes `sources`; leave out `source`.")
        ids = [str(value) for value in operations[0]["sources"]]
        return ids, [("operations", 0, "sources", i) for i in range(len(ids))]
    if not source:
        raise _invalid(("source",), "This field is required.", "required")
    return [str(source)], [("source",)]


def _owned_asset(owner, asset_id: str, kind: str, path: tuple) -> MediaAsset:
    """The caller's own ready asset of `kind`; someone else's reads exactly like a missing one."""
    return asset_get_usable_for_owner(
        user=owner, asset_id=asset_id, kinds=(kind,), field=path, ready_only=True, wording=WORDING
    )


def _probe_asset(asset: MediaAsset, path: tuple) -> ProbeResult:
    try:
        with storage.local_copy(asset.storage_key) as local:
            return probe_measured(local)
    except ProbeError as exc:
        raise _invalid(path, exc.reason, exc.code)
    except FileNotFoundError:
        raise _invalid(path, "The asset's file is missing.", "not_found")


# --- create ---------------------------------------------------------------------------------


def edit_job_create(
    *, owner, kind: str, operations: list, source=None, output_format: str = ""
) -> EditJob:
    """Check an edit against the caller's real media and queue it.

    Every problem is a 400 naming the field (`source`, `operations.<i>.<field>`); assets
    of other users read as missing. Nothing is created unless everything fits. The job
    runs in Celery once the row is committed.
    """
    if kind not in (AUDIO, VIDEO):
        raise ValueError(f"unknown edit kind {kind!r}")
    operations = validate_operations(kind, operations)
    output_format = _output_format(kind, output_format)
    primary_ids, primary_paths = _primary_ids(operations, source)

    probes: dict[str, ProbeResult] = {}

    def probed(asset, path):
        key = str(asset.id)
        if key not in probes:
            probes[key] = _probe_asset(asset, path)
        return probes[key]

    primary = [
        runner.media_of(probed(_owned_asset(owner, asset_id, kind, path), path))
        for asset_id, path in zip(primary_ids, primary_paths, strict=True)
    ]
    ctx = Context(primary=primary)
    for path, asset_id, asset_kind in asset_references(kind, operations):
        asset = _owned_asset(owner, asset_id, asset_kind, path)
        if asset_kind == "image":
            ctx.images[asset_id] = (asset.width or 0, asset.height or 0)
        else:
            ctx.audio[asset_id] = runner.media_of(probed(asset, path))
    try:
        plan(kind, operations, ctx)
    except OperationError as exc:
        raise _invalid(exc.path, exc.message, exc.code)
    if any(op["type"] == "text_overlay" for op in operations):
        fonts.font_path("sans")  # 503 now rather than a failed job later

    with transaction.atomic():
        # One lock per user, so two requests at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        active = EditJob.objects.filter(owner=owner, status__in=ACTIVE).count()
        if active >= settings.MEDIA_EDIT_MAX_ACTIVE_JOBS:
            raise EditLimitReached()
        job = EditJob.objects.create(
            owner=owner,
            kind=kind,
            sources=primary_ids,
            operations=operations,
            output_format=output_format,
        )
        edit_job_schedule(job=job)
    return job


def edit_job_schedule(*, job: EditJob) -> None:
    """Queue the job's run once the current transaction commits."""
    from media.tasks import run_edit_job

    job_id = str(job.id)
    transaction.on_commit(lambda: run_edit_job.delay(job_id))


# --- cancel ---------------------------------------------------------------------------------


def edit_job_cancel(*, job: EditJob) -> EditJob:
    """Cancel a queued or running job. A running FFmpeg is killed by its task within a
    progress tick; nothing is stored. 409 if the job has already finished."""
    now = timezone.now()
    updated = EditJob.objects.filter(id=job.id, status__in=ACTIVE).update(
        status=EditJobStatus.CANCELLED,
        error="Cancelled.",
        heartbeat_at=None,
        finished_at=now,
        updated_at=now,
    )
    if not updated:
        raise Conflict("The edit has already finished.")
    job.refresh_from_db()
    runner.notify(job)
    return job


# --- run ------------------------------------------------------------------------------------

RetryLater = runner.RetryLater


def edit_job_run(*, job: EditJob) -> str:
    """Run one edit job to the end (see media/editing/runner.py). Returns "succeeded",
    "failed", "cancelled" or "noop"; raises RetryLater for transient trouble."""
    return runner.run_job(job=job)
