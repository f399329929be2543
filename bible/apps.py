from django.apps import AppConfig

# Declares this app's content kinds before any model is built (see catalog/kinds.py).
import bible.kinds  # noqa: F401


class BibleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bible"
    verbose_name = "Bible"

    def ready(self):
        from bible import assistant, receivers
        from cnt.assistant import lookup_register

        receivers.connect()
        lookup_register("bible_stories", assistant.story_lookup)
        lookup_register("documents", assistant.document_lookup)
