"""Routes of the catalog API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from django.urls import re_path

from catalog.api import (
    chapter_views,
    library_views,
    recommendation_views,
    transcript_views,
    viewsets,
)
from cnt.api.routers import OptionalSlashRouter, api_path

router = OptionalSlashRouter()
router.register("podcasts", viewsets.PodcastViewSet, basename="podcast")
router.register("movies", viewsets.MovieViewSet, basename="movie")
router.register("music", viewsets.MusicTrackViewSet, basename="music")
router.register("categories", viewsets.CategoryViewSet, basename="category")
router.register("artists", viewsets.ArtistViewSet, basename="artist")
router.register("playlists", library_views.PlaylistViewSet, basename="playlist")
router.register("me", library_views.LibraryViewSet, basename="me")

CONTENT = r"(?P<content_type>[a-z_]{1,32})/(?P<object_id>[0-9]{1,18})"

urlpatterns = [
    # Before the router's `me/...` routes.
    api_path(
        "me/recommendations", recommendation_views.RecommendationsView.as_view(), "recommendations"
    ),
    *router.urls,
    api_path(f"{CONTENT}/transcript", transcript_views.TranscriptView.as_view(), "transcript"),
    api_path(f"{CONTENT}/related", recommendation_views.RelatedView.as_view(), "related"),
    api_path(f"{CONTENT}/captions", transcript_views.CaptionsView.as_view(), "captions"),
    api_path(f"{CONTENT}/chapters", chapter_views.ChaptersView.as_view(), "chapters"),
    api_path(
        f"{CONTENT}/chapters/accept", chapter_views.ChaptersAcceptView.as_view(), "chapters-accept"
    ),
    re_path(
        rf"^{CONTENT}/chapters\.vtt$",
        chapter_views.ChaptersTrackView.as_view(),
        name="chapters-vtt",
    ),
    re_path(
        rf"^{CONTENT}/chapters\.json$",
        chapter_views.ChaptersDocumentView.as_view(),
        name="chapters-json",
    ),
]
