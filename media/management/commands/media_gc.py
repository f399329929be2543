"""Delete stored objects no asset accounts for, and expired resumable uploads."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from cnt.progress import command_progress
from media.gc import orphaned_keys
from media.tus import tus_purge_expired


class Command(BaseCommand):
    help = (
        "Remove orphaned media objects (originals without an asset, unpublished derived runs) "
        "and expired resumable uploads. Use --dry-run first to see what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=1.0,
            help="Keep objects younger than this (uploads may still be committing).",
        )

    def handle(self, *args, **options):
        grace = timedelta(hours=options["grace_hours"])
        self.stdout.write("Scanning storage for orphaned objects…")
        keys = list(orphaned_keys(grace=grace))
        if options["dry_run"]:
            for key in keys:
                self.stdout.write(f"would delete {key}")
            self.stdout.write(self.style.SUCCESS(f"{len(keys)} orphaned objects (dry run)."))
            return
        with command_progress(self, total=len(keys), desc="media_gc", unit="object") as progress:
            for key in keys:
                default_storage.delete(key)
                progress.advance()
        purged = tus_purge_expired()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {len(keys)} orphaned objects and {purged} expired resumable uploads."
            )
        )
