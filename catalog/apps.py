from django.apps import AppConfig

# Declares this app's content kinds before any model is built (see catalog/kinds.py).
import catalog.kinds  # noqa: F401


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from catalog import receivers

        receivers.connect()
