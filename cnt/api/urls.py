"""Every /api/v1/ route is registered here, on one router that accepts an optional slash.

Viewsets register on `router`; paths that are not viewsets come from each app's api/urls.py.
"""

from django.urls import include, path

from cnt.api.routers import OptionalSlashRouter
from media.api.views import AssetViewSet

router = OptionalSlashRouter()
router.register("media/assets", AssetViewSet, basename="media-asset")

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("media.api.urls")),
    path("", include("media.api.tus_urls")),
    *router.urls,
]
