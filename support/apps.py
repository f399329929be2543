from django.apps import AppConfig


class SupportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "support"
    verbose_name = "Support"

    def ready(self):
        from catalog.moderators import moderator_permissions_add

        # Moderators answer the support desk (support/policies.py: can_answer_tickets).
        moderator_permissions_add(
            "support.view_supportmessage",
            "support.change_supportmessage",
            "support.view_supportreply",
        )
