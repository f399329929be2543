from django.apps import AppConfig

# Declares this app's content kinds before any model is built (see catalog/kinds.py).
import community.kinds  # noqa: F401


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "community"
    verbose_name = "Community"

    def ready(self):
        from catalog.moderators import moderator_permissions_add

        # Moderators handle reports (uphold / dismiss) and read the reported comments.
        moderator_permissions_add(
            "community.view_report", "community.change_report", "community.view_comment"
        )

        from community import queue

        queue.register()
