"""Writes of the Bible app: documents (PDF + rendered cover), stories, scripture links.

Story moderation transitions live in catalog/moderation.py: stories are submitted there when
created (approved at once for trusted artists) and sent back to review when their media
changes, as catalogue content is.
"""

import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from bible import covers, policies, references
from bible.models import BibleStory, DocumentAsset, ScriptureLink
from catalog import moderation
from catalog.models import Artist, ContentType
from catalog.services import content_delete
from catalog.transcripts import content_transcript_request
from cnt.errors import InvalidInput
from media import services as media_services
from media import storage
from media.models import AssetKind, AssetPurpose, AssetStatus, MediaAsset
from media.selectors import asset_get_usable_for_owner
from media.validation import MediaRejected

logger = logging.getLogger("cnt.bible")


# --- scripture links -----------------------------------------------------------------------


def _parsed(reference: str, field: str = "scripture_reference") -> list[references.Passage]:
    try:
        return references.passages_parse(reference)
    except references.InvalidReference as exc:
        raise InvalidInput(errors={field: [str(exc)]})


def _links_replace(content_type: str, object_id: int, passages) -> None:
    ScriptureLink.objects.filter(content_type=content_type, object_id=object_id).delete()
    ScriptureLink.objects.bulk_create(
        ScriptureLink(
            content_type=content_type,
            object_id=object_id,
            start_verse_id=passage.start_verse_id,
            end_verse_id=passage.end_verse_id,
            label=passage.label,
            position=position,
        )
        for position, passage in enumerate(passages)
    )


def scripture_links_set(*, content_type: str, object_id: int, reference: str) -> str:
    """Tag an item (a podcast, a story) with the passages `reference` names, replacing its
    previous ones; empty text removes them. Returns the normalised reference text.

    Raises InvalidInput on `scripture_reference` for text that names no passage.
    """
    content_type = ContentType(content_type).value
    passages = _parsed(reference)
    with transaction.atomic():
        _links_replace(content_type, object_id, passages)
    return references.passages_label(passages)


def scripture_reference_normalise(*, reference: str) -> str:
    """The normalised text of `reference`, storing nothing (InvalidInput as above)."""
    return references.passages_label(_parsed(reference))


def scripture_links_clear(*, content_type: str, object_id: int) -> None:
    """Forget an item's passages (call it when the item is deleted)."""
    ScriptureLink.objects.filter(content_type=content_type, object_id=object_id).delete()


# --- stories -------------------------------------------------------------------------------


def _story_assets(*, user, changes: dict) -> dict:
    """Resolve `video`, `audio` and `thumbnail` asset ids in `changes` (None clears)."""
    kinds = {"video": AssetKind.VIDEO, "audio": AssetKind.AUDIO, "thumbnail": AssetKind.IMAGE}
    resolved = {}
    for field, kind in kinds.items():
        if field in changes:
            asset_id = changes[field]
            resolved[field] = (
                None
                if asset_id is None
                else asset_get_usable_for_owner(
                    user=user, asset_id=asset_id, kinds=(kind,), field=field
                )
            )
    return resolved


def _duration(story: BibleStory) -> int:
    asset = story.video or story.audio
    return round(asset.duration_seconds or 0) if asset is not None else 0


def _is_trusted(user_id) -> bool:
    return Artist.objects.filter(user_id=user_id, is_trusted=True).exists()


def story_create(
    *,
    user,
    title: str,
    summary: str = "",
    body: str = "",
    scripture_reference: str = "",
    category=None,
    video=None,
    audio=None,
    thumbnail=None,
) -> BibleStory:
    """Publish a Bible story from the caller's uploaded video and/or audio.

    Waits for review unless the caller's artist profile is trusted (created on first
    publish, as for catalogue content). The scripture reference is stored normalised.
    """
    from catalog.services import artist_get_or_create_for_user

    assets = _story_assets(
        user=user, changes={"video": video, "audio": audio, "thumbnail": thumbnail}
    )
    if assets["video"] is None and assets["audio"] is None:
        raise InvalidInput(errors={"video": ["Give a video or an audio asset."]})
    passages = _parsed(scripture_reference)
    with transaction.atomic():
        artist = artist_get_or_create_for_user(user=user)
        story = BibleStory(
            owner=user,
            title=title,
            description=summary,
            body=body,
            category=category,
            scripture_reference=references.passages_label(passages),
            **assets,
        )
        story.duration_seconds = _duration(story)
        story.save()
        _links_replace(ContentType.BIBLE_STORY, story.pk, passages)
        moderation.content_submit(
            content_type=ContentType.BIBLE_STORY, obj=story, trusted=artist.is_trusted
        )
        content_transcript_request(obj=story)
    return story


def story_update(*, story: BibleStory, user, **changes) -> BibleStory:
    """Change a story. New media on approved content sends it back to review unless the
    owner is trusted; on rejected content it always does."""
    assets = _story_assets(user=user, changes=changes)
    passages = None
    if "scripture_reference" in changes:
        passages = _parsed(changes["scripture_reference"])
    with transaction.atomic():
        locked = BibleStory.objects.select_for_update().get(pk=story.pk)
        media_changed = False
        for field, asset in assets.items():
            if getattr(asset, "pk", None) != getattr(locked, f"{field}_id"):
                setattr(locked, field, asset)
                media_changed = True
        if locked.video_id is None and locked.audio_id is None:
            raise InvalidInput(errors={"video": ["A story keeps a video or an audio asset."]})
        if "title" in changes:
            locked.title = changes["title"]
        if "summary" in changes:
            locked.description = changes["summary"]
        if "body" in changes:
            locked.body = changes["body"]
        if "category" in changes:
            locked.category = changes["category"]
        if passages is not None:
            locked.scripture_reference = references.passages_label(passages)
            _links_replace(ContentType.BIBLE_STORY, locked.pk, passages)
        if media_changed:
            locked.duration_seconds = _duration(locked)
        locked.save()
        if media_changed:
            moderation.content_return_to_review(
                content_type=ContentType.BIBLE_STORY,
                obj=locked,
                trusted=_is_trusted(locked.owner_id),
            )
            content_transcript_request(obj=locked)
    return locked


def story_delete(*, story: BibleStory) -> None:
    """Delete a story; its playlist entries, playback positions and passages go with it
    (the receivers of catalog and bible)."""
    content_delete(obj=story)


# --- documents -----------------------------------------------------------------------------


def _document_file(*, user, asset_id) -> MediaAsset:
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or not policies.can_use_document_file(user, asset):
        raise InvalidInput(errors={"file": ["No uploaded document with this id."]})
    if asset.kind != AssetKind.DOCUMENT:
        raise InvalidInput(errors={"file": [f"Expected a PDF document asset, got {asset.kind}."]})
    if asset.status == AssetStatus.FAILED:
        raise InvalidInput(errors={"file": ["This upload failed; upload the PDF again."]})
    return asset


def document_cover_make(*, owner, file: MediaAsset) -> MediaAsset | None:
    """Render page 1 of the PDF into a new image asset (purpose thumbnail). None when the
    page cannot be rendered: a document without a cover is still a document."""
    workdir = Path(tempfile.mkdtemp(prefix="cnt-cover-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        target = workdir / "cover.jpg"
        with storage.local_copy(file.storage_key) as source:
            covers.render_first_page(Path(source), target)
        stem = Path(file.original_filename or "document").stem[:80] or "document"
        return media_services.asset_create_from_path(
            owner=owner, purpose=AssetPurpose.THUMBNAIL, path=target, filename=f"{stem}-cover.jpg"
        )
    except (covers.CoverError, MediaRejected) as exc:
        logger.warning("no cover for document asset %s: %s", file.pk, exc)
        return None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def document_create(
    *,
    user,
    title: str,
    file,
    description: str = "",
    category=None,
    language: str = "en",
    is_published: bool = True,
) -> DocumentAsset:
    """A Bible document from an uploaded PDF: page count from the upload's metadata and a
    cover rendered from page 1. If the row cannot be written, the cover is removed again."""
    pdf = _document_file(user=user, asset_id=file)
    cover = document_cover_make(owner=user, file=pdf)
    try:
        with transaction.atomic():
            return DocumentAsset.objects.create(
                title=title,
                description=description,
                file=pdf,
                cover=cover,
                category=category,
                language=language,
                page_count=int((pdf.metadata or {}).get("page_count") or 0),
                uploaded_by=user,
                is_published=is_published,
            )
    except Exception:
        if cover is not None:
            media_services.asset_delete(asset=cover)
        raise


def document_cover_refresh(*, document: DocumentAsset) -> bool:
    """(Re)make a document's cover from its PDF; the old cover asset is removed."""
    cover = document_cover_make(owner=document.uploaded_by, file=document.file)
    if cover is None:
        return False
    old = document.cover
    with transaction.atomic():
        DocumentAsset.objects.filter(pk=document.pk).update(cover=cover)
        if old is not None:
            media_services.asset_delete(asset=old)
    document.cover = cover
    return True


def document_update(*, document: DocumentAsset, **changes) -> DocumentAsset:
    allowed = {"title", "description", "category", "language", "is_published"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Documents have no writable fields {sorted(unknown)}")
    for field, value in changes.items():
        setattr(document, field, value)
    document.save()
    return document


def document_delete(*, document: DocumentAsset) -> None:
    """Delete a document, its cover, and its PDF unless another document uses it."""
    with transaction.atomic():
        cover, pdf = document.cover, document.file
        document.delete()
        if cover is not None:
            media_services.asset_delete(asset=cover)
        if not DocumentAsset.objects.filter(file=pdf).exists():
            media_services.asset_delete(asset=pdf)


def document_open(*, document: DocumentAsset) -> int:
    """Count one opening; returns the new count (F() update: no lost increments)."""
    DocumentAsset.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
    document.refresh_from_db(fields=["download_count"])
    return document.download_count
