"""Load demo data: an admin, creators, approved content with real generated media, a feed.

Every app seeds its own rows from its `demo` module (see cnt/seeding.py); this command only
runs them, one transaction per app, behind one progress bar. Idempotent: running it again
adds nothing. Media files are generated locally with FFmpeg and Pillow.
"""

import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

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
            with tqdm(total=len(modules), desc="seed_demo", unit="step", file=self.stdout) as bar:
                for label, module in modules:
                    bar.set_postfix_str(label)
                    with transaction.atomic():
                        module.seed(context)
                    bar.update(1)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # After the bar, which a line written while it runs would break.
        for warning in context.warnings:
            self.stderr.write(warning)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {context.created} rows created."))
        for message in context.messages:
            self.stdout.write(message)
