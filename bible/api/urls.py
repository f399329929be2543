"""Routes of the bible API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from bible.api import views
from cnt.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("bible/documents", views.DocumentViewSet, basename="bible-document")
router.register("bible/stories", views.StoryViewSet, basename="bible-story")
router.register("bible/passages", views.PassageViewSet, basename="bible-passage")

urlpatterns = [*router.urls]
