"""The real routes plus the tus routes, until they are wired into cnt/api/urls.py."""

from django.urls import include, path

from cnt.urls import urlpatterns as real_urlpatterns

urlpatterns = [
    path("api/v1/", include("media.api.tus_urls")),
    *real_urlpatterns,
]
