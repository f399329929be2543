"""Routes of the community API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from cnt.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()

urlpatterns = [*router.urls]
