"""Recompute the words search corrects typos against, from approved content and artists."""

from django.core.management.base import BaseCommand

from catalog.lexicon import lexicon_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search lexicon (the words of approved titles, tags and artist names) "
        "that typo correction picks from. Safe to run at any time; also runs daily from "
        "Celery beat."
    )

    def handle(self, *args, **options):
        def progress(label: str, rows: int) -> None:
            self.stdout.write(f"  read {rows} {label.lower()} rows")

        self.stdout.write("Reading approved content and artist names...")
        added, removed = lexicon_rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Lexicon rebuilt: {added} words added, {removed} removed.")
        )
