"""Load demo data: an admin, creators, approved content with real generated media, a feed.

Every app seeds its own rows from its `demo` module (see cnt/seeding.py); this command only
runs them, one transaction per app, behind one progress bar. Idempotent: running it again
adds nothing. Media files are generated locally with FFmpeg and Pillow.
"""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cnt.progress import command_progress
from cnt.seeding import DemoContext, demo_modules


class Command(BaseCommand):
    help = "Load demo data (idempotent): admin, creators, content with generated media, feed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-media", action="store_true", help="Skip generating audio/video/image files."
        )

    def handle(self, *args, **options):
        modules = demo_modules()
        tmp = Path(tempfile.mkdtemp(prefix="cnt-seed-"))
        try:
            context = DemoContext(tmp=tmp, with_media=not options["no_media"])
            per_app: dict[str, int] = {}
            with command_progress(
                self, total=len(modules), desc="seed_demo", unit="step"
            ) as progress:
                for label, module in modules:
                    progress.advance(0, status=label)
                    before = context.created
                    with transaction.atomic():
                        module.seed(context)
                    per_app[label] = context.created - before
                    progress.advance()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for warning in context.warnings:
            self.stderr.write(warning)
        made = ", ".join(f"{label} {count}" for label, count in per_app.items() if count)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {context.created} rows created"
                + (f" ({made})." if made else " (all there already).")
            )
        )
        for message in context.messages:
            self.stdout.write(message)
        if context.with_media and context.created and not settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write(
                "The demo's audio and video are queued for the worker: they turn ready over the "
                "next minute or two once it runs (make run starts it)."
            )
