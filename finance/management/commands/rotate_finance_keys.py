"""Re-encrypt finance data under the first key of FINANCE_ENCRYPTION_KEYS.

Rotation: put the new key first in FINANCE_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this command, then remove the old keys. Safe to re-run; safe while serving.
"""

from django.core.management.base import BaseCommand, CommandError

from cnt.progress import command_progress
from finance import crypto, services


class Command(BaseCommand):
    help = "Re-encrypt bank details and stored gateway responses under the current key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows re-encrypted per transaction (default 500).",
        )
        parser.add_argument(
            "--include-derived-key",
            action="store_true",
            help="Also open data written under the key derived from SECRET_KEY (the embedded "
            "default used when FINANCE_ENCRYPTION_KEYS was unset).",
        )

    def handle(self, *args, batch_size, include_derived_key, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not crypto.configured_keys():
            self.stderr.write(
                "FINANCE_ENCRYPTION_KEYS is unset: using the key derived from SECRET_KEY."
            )

        tables: dict[str, int] = {}
        with command_progress(self, total=0, desc="rotate_finance_keys", unit="row") as bar:

            def progress(label, done, total):
                if label not in tables:
                    bar.restart(total=total, desc=label)
                bar.advance(done - tables.get(label, 0))
                tables[label] = done

            report = services.encryption_keys_rotate(
                batch_size=batch_size, include_derived=include_derived_key, on_progress=progress
            )
        rows = ", ".join(f"{label} {count}" for label, count in tables.items())
        self.stdout.write(
            f"Re-encrypted {report.rotated} values; {report.current} already under the current "
            f"key (rows read: {rows})."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} values could not be decrypted with any key "
                f"(left unchanged): {', '.join(report.failed[:20])}"
            )
