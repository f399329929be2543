"""The dashboard page of the admin: pending work by kind and age, uploads, plays and new
users over time (server-drawn SVG charts), storage used, and failed media jobs with a retry
that goes through the media pipeline (the same calls as `manage.py media_reprocess` and
`media_transcribe`). Moderators who work the queue see it; retrying needs the change
permission on assets."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import dashboard
from catalog.admin.charts import bar_chart
from catalog.admin.queue import queue_url
from catalog.moderation.sources import queue_sources_for
from cnt.audit import admin_log_write
from media.models import AssetStatus, MediaAsset, Rendition
from media.pipeline import asset_reprocess
from media.transcripts import transcripts_requeue

RETRY_PERMISSION = "media.change_mediaasset"
CHARTS = (
    ("uploads", "Uploads per day", "#417690"),
    ("plays", "Plays per day", "#2e7d32"),
    ("new_users", "New users per day", "#b26b00"),
)
RETRY_LIMIT = 100  # failed assets requeued by one "retry all"


def _check(request) -> None:
    # Whoever works the queue (a moderator with rights on some source) sees the dashboard.
    if not queue_sources_for(request.user):
        raise PermissionDenied


def _days(request) -> int:
    value = request.GET.get("days", "")
    return int(value) if value.isdigit() and int(value) in dashboard.SERIES_DAYS else 30


def dashboard_view(request):
    _check(request)
    days = _days(request)
    series = dashboard.activity_series(days=days)
    charts = [
        {
            "key": key,
            "label": label,
            "svg": bar_chart(series[key], label=label, colour=colour),
            "total": sum(count for _, count in series[key]),
        }
        for key, label, colour in CHARTS
    ]
    storage = dashboard.storage_by_kind()
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "days": days,
        "day_choices": dashboard.SERIES_DAYS,
        "age_labels": [label for label, _ in dashboard.AGE_BUCKETS] + ["older"],
        "pending": dashboard.pending_by_age(),
        "charts": charts,
        "storage": storage,
        "storage_total": sum(row["bytes"] for row in storage),
        "derived_bytes": Rendition.objects.aggregate(n=Sum("size_bytes"))["n"] or 0,
        "failed": dashboard.failed_media_jobs(),
        "can_retry": request.user.has_perm(RETRY_PERMISSION),
        "queue_url": queue_url(),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)


@require_POST
def retry_view(request):
    """Requeue failed processing: one asset (`asset`), every failed asset (`all`), or the
    failed transcripts (`transcripts`)."""
    _check(request)
    if not request.user.has_perm(RETRY_PERMISSION):
        raise PermissionDenied
    failed = MediaAsset.objects.filter(status=AssetStatus.FAILED)
    if request.POST.get("transcripts"):
        queued = transcripts_requeue(include_failed=True)
        messages.success(request, f"{queued} transcript(s) queued again.")
        return HttpResponseRedirect(reverse("console-dashboard"))
    if request.POST.get("all"):
        assets = list(failed.order_by("updated_at")[:RETRY_LIMIT])
    else:
        try:
            assets = list(failed.filter(pk=request.POST.get("asset", "")))
        except ValidationError:  # not a UUID: the same answer as an unknown asset
            assets = []
    for asset in assets:
        asset_reprocess(asset=asset)
    for asset in assets:
        admin_log_write(
            user=request.user, obj=asset, message="Processing retried from the dashboard"
        )
    if assets:
        messages.success(request, f"{len(assets)} asset(s) queued for processing again.")
    else:
        messages.warning(request, "No such failed asset; nothing was queued.")
    return HttpResponseRedirect(reverse("console-dashboard"))
