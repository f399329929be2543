"""Recompute the words search corrects typos against, from approved content and artists."""

from django.core.management.base import BaseCommand

from catalog import kinds
from catalog.lexicon import lexicon_rebuild
from cnt.progress import command_progress


class Command(BaseCommand):
    help = (
        "Rebuild the search lexicon (the words of approved titles, tags and artist names) "
        "that typo correction picks from. Safe to run at any time; also runs daily from "
        "Celery beat."
    )

    def handle(self, *args, **options):
        sources = len(kinds.searchable_kinds()) + 1  # every searchable kind, then artists
        read: dict[str, int] = {}
        with command_progress(
            self, total=sources, desc="search_lexicon_rebuild", unit="source"
        ) as bar:

            def progress(label: str, rows: int) -> None:
                read[label] = rows
                bar.advance(status=f"{label}: {rows} rows")

            added, removed = lexicon_rebuild(progress=progress)
        rows = ", ".join(f"{rows} {label.lower()}" for label, rows in read.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Lexicon rebuilt from {rows} rows: {added} words added, {removed} removed."
            )
        )
