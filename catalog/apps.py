from django.apps import AppConfig

# Declares this app's content kinds before any model is built (see catalog/kinds.py).
import catalog.kinds  # noqa: F401


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from django.db.models.signals import post_migrate

        # catalog.transcripts registers the writer of approved outline edits.
        from catalog import moderators, receivers, transcripts  # noqa: F401

        receivers.connect()
        post_migrate.connect(moderators.on_post_migrate, dispatch_uid="catalog-moderators")
