"""tus routes, included at /api/v1/: `uploads` and `uploads/<uuid>`, trailing slash optional."""

from cnt.api.routers import api_path
from media.api.tus_views import TusUploadListView, TusUploadView

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

urlpatterns = [
    api_path("uploads", TusUploadListView.as_view(), "tus-uploads"),
    api_path(rf"uploads/(?P<upload_id>{UUID})", TusUploadView.as_view(), "tus-upload"),
]
