"""The real routes plus the editing routes, until they are wired into cnt/api/urls.py."""

from django.urls import include, path

from cnt.urls import urlpatterns as real_urlpatterns

urlpatterns = [
    path("api/v1/", include("media.api.editing_urls")),
    *real_urlpatterns,
]
