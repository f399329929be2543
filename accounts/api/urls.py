"""Routes of the accounts API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional)."""

from accounts.api.views import AuthViewSet, MeViewSet, PublicProfileViewSet
from cnt.api.routers import api_path


def _action(pattern: str, viewset, name: str, url_name: str):
    """Route one @action of a viewset, with the initkwargs (throttles, parsers) it declares."""
    method = getattr(viewset, name)
    view = viewset.as_view(dict(method.mapping), detail=method.detail, **method.kwargs)
    return api_path(pattern, view, url_name)


urlpatterns = [
    _action("auth/register", AuthViewSet, "register", "auth-register"),
    _action("auth/login", AuthViewSet, "login", "auth-login"),
    _action("auth/refresh", AuthViewSet, "refresh", "auth-refresh"),
    _action("auth/logout", AuthViewSet, "logout", "auth-logout"),
    _action("auth/google-login", AuthViewSet, "google_login", "auth-google-login"),
    _action("auth/google-client-id", AuthViewSet, "google_client_id", "auth-google-client-id"),
    _action("auth/send-otp", AuthViewSet, "send_otp", "auth-send-otp"),
    _action("auth/verify-otp", AuthViewSet, "verify_otp", "auth-verify-otp"),
    _action("auth/check-username", AuthViewSet, "check_username", "auth-check-username"),
    _action("auth/password-reset", AuthViewSet, "password_reset", "auth-password-reset"),
    api_path(
        "auth/me",
        MeViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        "auth-me",
    ),
    _action("auth/me/change-password", MeViewSet, "change_password", "auth-me-change-password"),
    api_path(
        r"auth/users/(?P<username>[^/]+)",
        PublicProfileViewSet.as_view({"get": "retrieve"}),
        "auth-user-profile",
    ),
    api_path(
        r"users/(?P<username>[^/]+)",
        PublicProfileViewSet.as_view({"get": "retrieve"}),
        "user-profile",
    ),
]
