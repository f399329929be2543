"""The search endpoint (include at /api/v1/; trailing slash optional)."""

from catalog.api.search_views import SearchView
from cnt.api.routers import api_path

urlpatterns = [api_path("search", SearchView.as_view(), "search")]
