"""Editing routes, mounted at /api/v1/: audio and video edit jobs, and quote images."""

from cnt.api.routers import OptionalSlashRouter, api_path
from media.api import editing_views as views
from media.editing.operations import AUDIO, VIDEO

router = OptionalSlashRouter()
router.register("audio-editing/jobs", views.AudioEditJobViewSet, basename="audio-edit-job")
router.register("video-editing/jobs", views.VideoEditJobViewSet, basename="video-edit-job")

urlpatterns = [
    api_path("audio-editing", views.AudioEditView.as_view(), "audio-editing"),
    api_path("video-editing", views.VideoEditView.as_view(), "video-editing"),
    *[
        api_path(
            f"{kind}-editing/{name.replace('_', '-')}",
            view.as_view(),
            f"{kind}-editing-{name.replace('_', '-')}",
        )
        for kind in (AUDIO, VIDEO)
        for name, view in views.SHORTCUT_VIEWS[kind].items()
    ],
    api_path("quotes", views.QuoteCreateView.as_view(), "quotes"),
    *router.urls,
]
