"""(Re)render Bible document covers from page 1 of their PDFs.

By default only documents without a cover (a failed render, or rows made before covers
existed); `--all` redoes every cover. Safe to re-run.
"""

from django.core.management.base import BaseCommand

from bible import services
from bible.models import DocumentAsset
from cnt.progress import command_progress


class Command(BaseCommand):
    help = "Render missing Bible document covers from page 1 of each PDF (--all: every cover)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Redo existing covers too.")

    def handle(self, *args, all, **options):
        documents = DocumentAsset.objects.select_related("file", "cover", "uploaded_by")
        if not all:
            documents = documents.filter(cover__isnull=True)
        documents = list(documents.order_by("pk"))
        made = 0
        with command_progress(
            self, total=len(documents), desc="render_document_covers", unit="cover"
        ) as progress:
            for document in documents:
                ok = services.document_cover_refresh(document=document)
                made += ok
                if not ok:
                    progress.note(
                        f"#{document.pk} {document.title[:60]}: no cover "
                        "(page 1 cannot be rendered)"
                    )
                progress.advance(status=document.title)
        failed = len(documents) - made
        self.stdout.write(
            f"{made} of {len(documents)} covers rendered"
            + (f"; {failed} documents whose page 1 cannot be rendered." if failed else ".")
        )
