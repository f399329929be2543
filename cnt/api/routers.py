"""Every API path answers with and without its trailing slash (the Flutter apps call both)."""

from django.urls import re_path
from drf_spectacular.utils import OpenApiResponse
from rest_framework.routers import SimpleRouter

# Numeric primary keys in paths (a viewset's lookup_value_regex, action url_paths).
ID_PATTERN = r"\d+"
# The documented answer of an operation that returns 204.
NO_CONTENT = OpenApiResponse(description="Done; no body.")


class OptionalSlashRouter(SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


def api_path(pattern: str, view, name: str):
    """A route for `pattern` (regex body, no anchors) that accepts an optional trailing slash."""
    return re_path(rf"^{pattern}/?$", view, name=name)
