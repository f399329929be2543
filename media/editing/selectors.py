"""Reads of edit jobs."""

from django.db.models import QuerySet

from cnt.errors import NotFound
from media.models import EditJob


def edit_job_list_for_owner(*, user, kind: str) -> QuerySet[EditJob]:
    """The caller's edit jobs of one kind, newest first, with their results prefetched."""
    return (
        EditJob.objects.filter(owner=user, kind=kind)
        .select_related("result")
        .prefetch_related("result__renditions")
        .order_by("-created_at", "-id")
    )


def edit_job_get_for_user(*, user, job_id, kind: str) -> EditJob:
    """Fetch and authorize in one call: someone else's job is simply "not found"."""
    job = edit_job_list_for_owner(user=user, kind=kind).filter(id=job_id).first()
    if job is None:
        raise NotFound()
    return job
