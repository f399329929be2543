"""Every /api/v1/ route is registered here: each app's api/urls.py (its own optional-slash
router for viewsets plus plain paths), and the shared router for cross-app viewsets."""

from django.urls import include, path

from cnt.api.routers import OptionalSlashRouter
from media.api.views import AssetViewSet

router = OptionalSlashRouter()
router.register("media/assets", AssetViewSet, basename="media-asset")

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("media.api.urls")),
    path("", include("media.api.tus_urls")),
    path("", include("media.api.s3_urls")),
    path("", include("media.api.editing_urls")),
    path("", include("catalog.api.urls")),
    path("", include("catalog.api.admin_urls")),
    path("", include("catalog.api.search_urls")),
    path("", include("community.api.urls")),
    path("", include("live.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("bible.api.urls")),
    path("", include("support.api.urls")),
    *router.urls,
]
