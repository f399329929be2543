"""The real routes, plus the search routes in case cnt/api/urls.py does not include them yet.

The real patterns come first, so once they include search the real route is measured.
"""

from django.urls import include, path

from cnt.urls import urlpatterns as real_urlpatterns

urlpatterns = [
    *real_urlpatterns,
    path("api/v1/", include("catalog.api.search_urls")),
]
