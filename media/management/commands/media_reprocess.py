"""Rebuild derived files (HLS, posters, waveforms, image renditions) from the originals."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from media.image_assets import image_schedule_renditions
from media.models import AssetKind, AssetStatus, MediaAsset
from media.pipeline import asset_reprocess

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
        for asset_id in tqdm(ids, desc="media_reprocess", unit="asset", file=self.stdout):
            asset = MediaAsset.objects.get(id=asset_id)
            if asset.kind == AssetKind.IMAGE:
                image_schedule_renditions(asset=asset, force=True)
            else:
                asset_reprocess(asset=asset)
        self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} assets for reprocessing."))
