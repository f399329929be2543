from django.apps import AppConfig


class MediaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "media"
    verbose_name = "Media"

    def ready(self):
        from accounts.signals import avatar_released
        from cnt.observability import scrape_collector
        from media import avatars
        from media.metrics import TranscodeCollector

        scrape_collector(TranscodeCollector())
        avatar_released.connect(avatars.on_avatar_released, dispatch_uid="media-avatar-released")
