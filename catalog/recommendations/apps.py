from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """What to play next: item-to-item co-occurrence over plays and saves, kept up to date by
    a periodic task, read by `me/recommendations` and `{type}/{id}/related`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"
