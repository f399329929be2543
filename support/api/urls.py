"""Routes of the support API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from cnt.api.routers import OptionalSlashRouter
from support.api import views

router = OptionalSlashRouter()
router.register("support/messages", views.TicketViewSet, basename="support-message")

urlpatterns = [*router.urls]
