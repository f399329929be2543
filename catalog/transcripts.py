"""Captions and transcripts of content: which items are spoken word (catalog/kinds.py,
`is_spoken_word`), and the content-facing reads and writes over media/transcripts.py.

Transcripts belong to the streamed asset (media layer), so every kind that streams one,
and every place that plays it (the HLS master), shares them.
"""

from dataclasses import asdict, dataclass

from django.db import transaction

from catalog import kinds, moderation, policies, selectors
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from media import outlines, transcripts
from media.models import CaptionTrack, MediaAsset, Transcript

MAX_HISTORY = 50


def content_transcript_request(*, obj) -> Transcript | None:
    """A spoken-word item now streams its primary asset: make sure the asset gets a
    transcript (scheduled after processing). Other kinds (music) are not transcribed."""
    if not kinds.kind_for(obj).is_spoken_word:
        return None
    asset = selectors.primary_asset(obj)
    if asset is None:
        return None
    return transcripts.transcript_request(asset=asset)


def content_captions_state(obj) -> tuple[str, str | None]:
    """(captions_status, reason) of an item, from what the selectors loaded (no query)."""
    return transcripts.captions_state(
        selectors.primary_asset(obj), is_spoken_word=kinds.kind_for(obj).is_spoken_word
    )


def content_caption_languages(obj) -> tuple[MediaAsset | None, list[str]]:
    """The streamed asset and the languages it has current captions in (no query)."""
    asset = selectors.primary_asset(obj)
    transcript = getattr(asset, "transcript", None) if asset is not None else None
    if transcript is None or not asset.output_prefix:
        return asset, []
    return asset, list(transcript.caption_languages)


@dataclass
class TranscriptView:
    status: str
    reason: str | None
    language: str | None
    source: str | None
    paragraphs: list[dict]


def content_transcript_get(*, obj) -> TranscriptView:
    """What was said in an item, as paragraphs with their times (empty until ready)."""
    status, reason = content_captions_state(obj)
    asset = selectors.primary_asset(obj)
    transcript = Transcript.objects.filter(asset_id=asset.pk).first() if asset is not None else None
    if transcript is None or not transcript.paragraphs:
        return TranscriptView(status, reason, None, None, [])
    paragraphs = [
        {"start": p["start"], "end": p["end"], "text": p["text"]} for p in transcript.paragraphs
    ]
    return TranscriptView(
        status, reason, transcript.language or None, transcript.source, paragraphs
    )


def content_captions_upload(*, obj, user, language: str, data: bytes) -> CaptionTrack:
    """An owner's or moderator's captions for an item (WebVTT or SRT); they replace the
    current ones of that language, which stay in the history."""
    if not policies.can_edit_captions(user, obj):
        raise Forbidden("Only the owner or a moderator can change the captions.")
    asset = selectors.primary_asset(obj)
    if asset is None:
        raise InvalidInput(errors={"file": ["This item has no media to caption."]})
    return transcripts.captions_upload(asset=asset, language=language, data=data, user=user)


def content_transcript_language_set(*, obj, user, language: str) -> Transcript:
    """Owner or moderator: the language spoken in the item; it is transcribed again in it."""
    if not policies.can_edit_captions(user, obj):
        raise Forbidden("Only the owner or a moderator can set the spoken language.")
    asset = selectors.primary_asset(obj)
    if asset is None or not kinds.kind_for(obj).is_spoken_word:
        raise InvalidInput(errors={"language": ["This item is not transcribed."]})
    return transcripts.transcript_language_set(asset=asset, language=language, user=user)


def content_captions_history(*, obj, user) -> list[CaptionTrack]:
    """Every version of an item's captions, newest first (owner and moderators)."""
    if not policies.can_edit_captions(user, obj):
        raise Forbidden("Only the owner or a moderator can see the captions' history.")
    asset = selectors.primary_asset(obj)
    if asset is None:
        return []
    return list(
        CaptionTrack.objects.filter(asset_id=asset.pk)
        .defer("vtt")
        .order_by("-created_at", "-id")[:MAX_HISTORY]
    )


def content_outline_get(*, obj, user) -> dict:
    """An item's published chapters and summary; the owner and moderators also see the
    language model's draft and whether their own chapters wait for a moderator."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    with_draft = policies.can_edit_captions(user, obj)
    view = outlines.outline_view(asset=asset, with_draft=with_draft)
    pending = None
    if with_draft:
        edit = moderation.pending_edit_for(obj)
        if edit is not None and kinds.OUTLINE in edit.changes and asset is not None:
            pending = _outline_view_of(edit.changes[kinds.OUTLINE], asset)
    return {**asdict(view), "pending_review": pending}


def _outline_view_of(value: dict, asset: MediaAsset) -> dict:
    return {
        "summary": value["summary"],
        "chapters": outlines.chapters_with_ends(value["chapters"], asset.duration_seconds),
    }


def _outline_asset(obj, user) -> MediaAsset:
    if not policies.can_edit_captions(user, obj):
        raise Forbidden("Only the owner or a moderator can change the chapters.")
    asset = selectors.primary_asset(obj)
    if asset is None or not kinds.kind_for(obj).is_spoken_word:
        raise InvalidInput(errors={"chapters": ["This item has no spoken media to divide."]})
    return asset


def content_outline_publish(*, obj, user, summary: str | None, chapters) -> bool:
    """Owner or moderator: publish chapters and a summary (written or edited from the draft).

    They are public text: an untrusted owner's chapters for approved content wait for a
    moderator as part of the item's pending edit (the published ones stay meanwhile), as a
    changed description does. True when they wait."""
    asset = _outline_asset(obj, user)
    summary, cleaned = outlines.outline_clean(asset=asset, summary=summary, chapters=chapters)
    kind_name = kinds.kind_for(obj).name
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        if locked.status != ModerationStatus.APPROVED or policies.publishes_without_review(user):
            outlines.outline_publish(asset=asset, user=user, summary=summary, chapters=cleaned)
            moderation.content_edit_withdraw(
                content_type=kind_name, obj=locked, fields={kinds.OUTLINE}
            )
            return False
        if outlines.outline_published(asset=asset) == (summary, cleaned):
            moderation.content_edit_withdraw(
                content_type=kind_name, obj=locked, fields={kinds.OUTLINE}
            )
            return False
        moderation.content_edit_submit(
            content_type=kind_name,
            obj=locked,
            owner=user,
            changes={kinds.OUTLINE: {"summary": summary, "chapters": cleaned}},
        )
    return True


def content_outline_accept(*, obj, user) -> bool:
    """Owner or moderator: publish the drafted chapters and summary as they are (through
    review as `content_outline_publish`). True when they wait for a moderator."""
    summary, chapters = outlines.outline_draft(asset=_outline_asset(obj, user))
    return content_outline_publish(obj=obj, user=user, summary=summary, chapters=chapters)


def _outline_write(*, obj, value: dict) -> None:
    """An approved outline edit: the owner's chapters and summary become the published ones."""
    asset = selectors.primary_asset(obj)
    if asset is not None:
        outlines.outline_publish(
            asset=asset, user=obj.owner, summary=value["summary"], chapters=value["chapters"]
        )


kinds.kind_field_writer_register(kinds.ANY_KIND, kinds.OUTLINE, _outline_write)


def content_outline_published(obj) -> dict:
    """The published outline as an outline edit carries one: {summary, chapters}."""
    asset = selectors.primary_asset(obj)
    summary, chapters = outlines.outline_published(asset=asset) if asset else ("", [])
    return {"summary": summary, "chapters": chapters}


def content_outline_text(obj, value: dict | None = None) -> str:
    """An outline as a moderator reads it: the summary, then one line per chapter
    ("12:05  Title"). `value` is a proposed one; without it, the published one."""
    value = content_outline_published(obj) if value is None else value
    summary, chapters = value.get("summary", ""), value.get("chapters", [])
    lines = [summary] if summary else []
    for chapter in chapters:
        minutes, seconds = divmod(int(chapter["start"]), 60)
        lines.append(f"{minutes}:{seconds:02d}  {chapter['title']}")
    return "\n".join(lines)


def content_chapters_vtt(*, obj) -> str | None:
    """The published chapters as a WebVTT chapters track, or None."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    return outlines.chapters_vtt(asset=asset) if asset is not None else None


def content_chapters_json(*, obj) -> dict | None:
    """The published chapters as a Podcasting 2.0 JSON chapters document, or None."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    return outlines.chapters_json(asset=asset) if asset is not None else None
