"""Queue the transcripts that wait: after DEEPGRAM_API_KEY is set on a server that ran
without it, or with --failed after an outage."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from media import transcription
from media.transcripts import transcripts_requeue


class Command(BaseCommand):
    help = (
        "Queue transcription of every processed asset whose transcript waits (spoken-word "
        "content). --failed also retries failed ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="Retry failed ones too.")

    def handle(self, *args, **options):
        if not transcription.is_enabled():
            raise CommandError(transcription.DISABLED_REASON)
        with transaction.atomic():
            count = transcripts_requeue(include_failed=options["failed"])
        self.stdout.write(self.style.SUCCESS(f"{count} transcripts queued."))
