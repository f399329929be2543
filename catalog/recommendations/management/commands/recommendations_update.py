"""Bring recommendations up to date now (Celery beat does it every few minutes)."""

from django.core.management.base import BaseCommand

from catalog.recommendations.services import recommendations_reset, recommendations_update


class Command(BaseCommand):
    help = (
        "Process the plays and playlist saves since the last update (co-occurrence, "
        "neighbours, trending). --rebuild starts again from every event: after changing "
        "RECOMMENDATIONS_WINDOW, NEIGHBOURS or MIN_LISTENERS, or to refresh every list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Forget what was derived and start over."
        )

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            recommendations_reset()
            self.stdout.write("Derived tables emptied; reading every event again...")
        result = recommendations_update()
        self.stdout.write(
            self.style.SUCCESS(
                f"Recommendations updated: {result.plays} plays and {result.saves} saves "
                f"read, {result.engagements} new engagements, in {result.runs} run(s)."
            )
        )
