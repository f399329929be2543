"""Rebuild derived files (HLS, posters, waveforms, image renditions) from the originals.

Owners are told "ready to play" only the first time an asset is published, so a reprocess
of every asset sends nobody a notification. Without a worker (the embedded mode running
tasks in-process) the work is done here and the summary counts what came out of it;
otherwise it is queued for the media workers.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cnt.progress import command_progress
from media.image_assets import image_schedule_renditions
from media.models import AssetKind, AssetStatus, MediaAsset
from media.pipeline import asset_reprocess
from media.tasks import process_asset

KINDS = [AssetKind.AUDIO, AssetKind.VIDEO, AssetKind.IMAGE]


class Command(BaseCommand):
    help = "Rebuild every derived file of one asset, of all failed assets, or of all assets."

    def add_arguments(self, parser):
        parser.add_argument("asset_id", nargs="?", help="The asset's id (a UUID).")
        parser.add_argument("--failed", action="store_true", help="Every failed asset.")
        parser.add_argument(
            "--all", action="store_true", help="Every audio, video and image asset."
        )

    def handle(self, *args, **options):
        chosen = [bool(options["asset_id"]), options["failed"], options["all"]]
        if sum(chosen) != 1:
            raise CommandError("Give exactly one of: an asset id, --failed or --all.")
        assets = MediaAsset.objects.filter(kind__in=KINDS)
        if options["asset_id"]:
            try:
                assets = assets.filter(id=options["asset_id"])
                found = assets.exists()
            except ValidationError:  # not a UUID
                found = False
            if not found:
                raise CommandError(
                    f"No audio, video or image asset {options['asset_id']!r}; "
                    "list ids with the admin or GET /api/v1/media/assets/."
                )
        elif options["failed"]:
            assets = assets.filter(status=AssetStatus.FAILED)
        ids = list(assets.order_by("created_at").values_list("id", flat=True))
        in_process = bool(process_asset.app.conf.task_always_eager)
        outcomes: Counter[str] = Counter()
        with command_progress(
            self, total=len(ids), desc="media_reprocess", unit="asset"
        ) as progress:
            for asset_id in ids:
                asset = MediaAsset.objects.filter(id=asset_id).first()
                if asset is None:
                    outcomes["gone"] += 1
                    progress.advance()
                    continue
                if asset.kind == AssetKind.IMAGE:
                    image_schedule_renditions(asset=asset, force=True)
                else:
                    asset_reprocess(asset=asset)
                if in_process:
                    row = MediaAsset.objects.filter(id=asset_id).values("status", "error").first()
                    status = row["status"] if row else "gone"
                    outcomes[status] += 1
                    if status == AssetStatus.FAILED:
                        progress.note(f"{asset_id} ({asset.original_filename}): {row['error']}")
                progress.advance(status=asset.original_filename or str(asset_id))
        self.stdout.write(self.style.SUCCESS(self.summary(len(ids), outcomes, in_process)))

    @staticmethod
    def summary(count: int, outcomes: Counter, in_process: bool) -> str:
        noun = "asset" if count == 1 else "assets"
        if not in_process:
            gone = f" ({outcomes['gone']} gone meanwhile)" if outcomes["gone"] else ""
            return (
                f"Queued {count - outcomes['gone']} {noun} for reprocessing{gone}; "
                "the media queue's workers rebuild them (make worker)."
            )
        parts = ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items()))
        return f"Reprocessed {count} {noun} in this process" + (f": {parts}." if parts else ".")
