"""Captions and transcripts of content: which items are spoken word (catalog/kinds.py,
`is_spoken_word`), and the content-facing reads and writes over media/transcripts.py.

Transcripts belong to the streamed asset (media layer), so every kind that streams one,
and every place that plays it (the HLS master), shares them.
"""

from dataclasses import dataclass

from catalog import kinds, policies, selectors
from cnt.errors import Forbidden, InvalidInput
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


def content_outline_get(*, obj, user) -> outlines.OutlineView:
    """An item's published chapters and summary; the owner and moderators also see the
    language model's draft. `none` for content that is not spoken word."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    return outlines.outline_view(asset=asset, with_draft=policies.can_edit_captions(user, obj))


def _outline_asset(obj, user) -> MediaAsset:
    if not policies.can_edit_captions(user, obj):
        raise Forbidden("Only the owner or a moderator can change the chapters.")
    asset = selectors.primary_asset(obj)
    if asset is None or not kinds.kind_for(obj).is_spoken_word:
        raise InvalidInput(errors={"chapters": ["This item has no spoken media to divide."]})
    return asset


def content_outline_publish(*, obj, user, summary: str | None, chapters) -> None:
    """Owner or moderator: publish chapters and a summary (written or edited from the draft)."""
    outlines.outline_publish(
        asset=_outline_asset(obj, user), user=user, summary=summary, chapters=chapters
    )


def content_outline_accept(*, obj, user) -> None:
    """Owner or moderator: publish the drafted chapters and summary as they are."""
    outlines.outline_accept_draft(asset=_outline_asset(obj, user), user=user)


def content_chapters_vtt(*, obj) -> str | None:
    """The published chapters as a WebVTT chapters track, or None."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    return outlines.chapters_vtt(asset=asset) if asset is not None else None


def content_chapters_json(*, obj) -> dict | None:
    """The published chapters as a Podcasting 2.0 JSON chapters document, or None."""
    asset = selectors.primary_asset(obj) if kinds.kind_for(obj).is_spoken_word else None
    return outlines.chapters_json(asset=asset) if asset is not None else None
