from django.apps import AppConfig

# Declares this app's content kinds before any model is built (see catalog/kinds.py).
import bible.kinds  # noqa: F401


class BibleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bible"
    verbose_name = "Bible"

    def ready(self):
        from bible import receivers

        receivers.connect()
