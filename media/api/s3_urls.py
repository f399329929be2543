"""Direct-to-S3 upload routes, included at /api/v1/ (trailing slash optional)."""

from cnt.api.routers import api_path
from media.api.s3_views import DirectUploadViewSet

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UPLOAD = rf"uploads/s3/(?P<upload_id>{UUID})"

urlpatterns = [
    api_path("uploads/s3", DirectUploadViewSet.as_view({"post": "create"}), "s3-uploads"),
    api_path(UPLOAD, DirectUploadViewSet.as_view({"delete": "destroy"}), "s3-upload"),
    api_path(rf"{UPLOAD}/parts", DirectUploadViewSet.as_view({"post": "parts"}), "s3-upload-parts"),
    api_path(
        rf"{UPLOAD}/complete",
        DirectUploadViewSet.as_view({"post": "complete"}),
        "s3-upload-complete",
    ),
]
