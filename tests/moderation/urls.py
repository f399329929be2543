"""The real routes plus the moderation and search routes, until cnt/api/urls.py includes them."""

from django.urls import include, path

from cnt.urls import urlpatterns as real_urlpatterns

urlpatterns = [
    path("api/v1/", include("catalog.api.admin_urls")),
    path("api/v1/", include("catalog.api.search_urls")),
    *real_urlpatterns,
]
