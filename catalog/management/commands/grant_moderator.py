"""Make a user a staff moderator (or take it away with --revoke)."""

from django.core.management.base import BaseCommand, CommandError

from catalog.moderators import moderator_grant, moderator_revoke, moderator_user_find
from cnt.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Make a user a staff moderator: Django Admin access and the moderators group, whose "
        "permissions are exactly what moderation needs (every content kind, reports, support "
        "tickets; never finance or keys). --revoke takes it away."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or email of an existing account")
        parser.add_argument(
            "--revoke",
            action="store_true",
            help="remove the user from the moderators group (and from the admin, unless they "
            "are a superuser or hold another group)",
        )

    def handle(self, *args, **options):
        try:
            user = moderator_user_find(identifier=options["user"])
        except InvalidInput as exc:
            raise CommandError(f"{exc.detail} Create the account first, or check the spelling.")
        if options["revoke"]:
            changed = moderator_revoke(user=user)
            message = "is no longer a moderator" if changed else "was not a moderator"
        else:
            changed = moderator_grant(user=user)
            message = "is now a staff moderator" if changed else "was already a staff moderator"
        self.stdout.write(self.style.SUCCESS(f"{user.username} {message}."))
