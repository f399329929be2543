"""Moderators' REST endpoints (include at /api/v1/; trailing slash optional)."""

from catalog.api import admin_views
from cnt.api.routers import api_path

TARGET = r"(?P<content_type>[a-z_]+)/(?P<object_id>[0-9]{1,18})"
EDIT = r"(?P<edit_id>[0-9]{1,18})"

urlpatterns = [
    api_path("admin/dashboard", admin_views.DashboardView.as_view(), "admin-dashboard"),
    api_path(f"admin/approve/{TARGET}", admin_views.ApproveView.as_view(), "admin-approve"),
    api_path(f"admin/reject/{TARGET}", admin_views.RejectView.as_view(), "admin-reject"),
    api_path("admin/edits", admin_views.PendingEditListView.as_view(), "admin-edits"),
    api_path(
        f"admin/edits/{EDIT}/approve", admin_views.EditApproveView.as_view(), "admin-edit-approve"
    ),
    api_path(
        f"admin/edits/{EDIT}/reject", admin_views.EditRejectView.as_view(), "admin-edit-reject"
    ),
]
