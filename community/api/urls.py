"""Routes of the community API (included at /api/v1/ by cnt/api/urls.py; slash optional)."""

from cnt.api.routers import OptionalSlashRouter
from community.api.viewsets import (
    CommentViewSet,
    DeviceViewSet,
    NotificationViewSet,
    PostViewSet,
)

router = OptionalSlashRouter()
router.register("community/posts", PostViewSet, basename="community-post")
router.register("community/comments", CommentViewSet, basename="community-comment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("devices", DeviceViewSet, basename="device")

urlpatterns = [*router.urls]
