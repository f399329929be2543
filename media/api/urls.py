"""Upload routes (the asset viewset is registered on the router in cnt/api/urls.py)."""

from cnt.api.routers import api_path
from media.api import views

urlpatterns = [
    api_path("auth/me/avatar", views.AvatarUploadView.as_view(), "auth-me-avatar"),
    api_path("upload/audio", views.AudioUploadView.as_view(), "upload-audio"),
    api_path("upload/video", views.VideoUploadView.as_view(), "upload-video"),
    api_path("upload/image", views.ImageUploadView.as_view(), "upload-image"),
    api_path(
        "upload/profile-image", views.ProfileImageUploadView.as_view(), "upload-profile-image"
    ),
    api_path("upload/thumbnail", views.ThumbnailUploadView.as_view(), "upload-thumbnail"),
    api_path("upload/document", views.DocumentUploadView.as_view(), "upload-document"),
]
