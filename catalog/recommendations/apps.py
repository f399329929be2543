from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """What to play next: item-to-item co-occurrence over plays and saves, kept up to date by
    a periodic task, read by `me/recommendations` and `{type}/{id}/related`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

    def ready(self):
        # Cache busting only (catalog/recommendations/cache.py): a listener's cached lists
        # are rebuilt once their progress or follows change. Saves only: a delete receiver
        # would turn the bulk deletes of a removed item's progress rows into row-by-row
        # ones; an unfollow bumps explicitly (catalog/services/artists.py).
        from django.db.models.signals import post_save

        from catalog.models import ArtistFollower, PlaybackProgress
        from catalog.recommendations.cache import listener_changed

        for model in (PlaybackProgress, ArtistFollower):
            uid = f"recommendations-listener-{model.__name__}"
            post_save.connect(listener_changed, sender=model, dispatch_uid=uid)
