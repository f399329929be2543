from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from cnt.api.asyncapi import asyncapi_view
from cnt.api.health import HealthView, ReadyView
from cnt.observability import metrics_view
from media.playback import serve as media_serve

admin.site.site_header = "CNT Media"
admin.site.site_title = "CNT Media"
admin.site.index_title = "Moderation console"
admin.site.site_url = "/"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # The console's own pages (the one queue, the dashboard) first, then the admin site.
    path(settings.ADMIN_URL, include("catalog.admin.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("health/", HealthView.as_view(), name="health"),
    path("ready/", ReadyView.as_view(), name="ready"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/asyncapi.json", asyncapi_view, name="asyncapi"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("cnt.api.urls")),
    # Public XML for podcast apps, outside the versioned JSON API.
    path("feeds/podcasts/", include("catalog.feeds.urls")),
    path(
        "media/s/<uuid:asset_id>/<int:expires>/<str:signature>/<path:path>",
        media_serve,
        name="media-playback",
    ),
]
