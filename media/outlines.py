"""Chapters and a summary of spoken-word media, drafted from the transcript by the
language model (cnt/llm.py) and published only when the owner accepts or edits them.

A transcript that becomes ready (generated or uploaded) asks for a draft: the
`media.draft_outline` task claims the Outline row like every job (media/jobs.py), sends the
transcript's paragraphs with their times, checks the answer (chapters in order, inside the
media, short titles) and stores it as the draft. Transient errors (timeouts, rate limits,
5xx, a malformed answer) retry with backoff; a refused request fails at once. Without
OPENAI_API_KEY nothing is drafted and the state says so; owners may still write chapters.
"""

import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cnt import llm
from cnt.errors import InvalidInput
from media import captions
from media.captions import Cue
from media.jobs import JobSpec, job_claim, job_own_row, job_release, job_retry_or_fail
from media.models import MediaAsset, Outline, OutlineStatus, Transcript, TranscriptStatus

logger = logging.getLogger("cnt.media.outlines")

MAX_CHAPTERS = 50
MAX_TITLE = 100
MAX_SUMMARY = 2000
# What the model reads of a transcript: about 30k tokens, a 3-hour service.
MAX_PROMPT_CHARS = 120_000

JOB = JobSpec(
    model=Outline,
    waiting=(OutlineStatus.PENDING,),
    running=OutlineStatus.PROCESSING,
    retry_status=OutlineStatus.PENDING,
    failed=OutlineStatus.FAILED,
    noun="outline",
    interrupted_message="Drafting the chapters was interrupted too many times.",
    stale_seconds=lambda: settings.OPENAI_TIMEOUT_SECONDS + 120,
)

SYSTEM = (
    "You divide a transcript of a sermon, podcast or Bible story into chapters and write a "
    "short summary. Answer with one JSON object: "
    '{"summary": "2 to 4 sentences", "chapters": [{"start": seconds, "title": "..."}]}. '
    "Chapters follow the topics, in order, the first starting at 0; each title is at most 8 "
    "words, in the transcript's language; start is a number of seconds taken from the "
    "[seconds] marks of the transcript. Use 1 chapter per 3 to 10 minutes of speech."
)


# --- state ----------------------------------------------------------------------------------


DISABLED_REASON = (
    "Chapters are not drafted on this server (no language model is configured); the owner "
    "can still write them."
)


@dataclass
class OutlineView:
    # The draft's state: disabled, pending, processing, draft, failed (none: no media).
    status: str
    reason: str | None
    # Published (accepted or written by the owner): [{"start", "end", "title"}].
    summary: str
    chapters: list[dict]
    accepted_at: object
    # Only for the owner and moderators.
    draft_summary: str | None
    draft_chapters: list[dict] | None


def chapters_with_ends(chapters: list[dict], duration: float | None) -> list[dict]:
    """Each chapter ends where the next starts; the last at the end of the media."""
    if not chapters:
        return []
    last = chapters[-1]["start"]
    ends = [c["start"] for c in chapters[1:]] + [max(duration or 0.0, last)]
    return [
        {"start": c["start"], "end": end, "title": c["title"]}
        for c, end in zip(chapters, ends, strict=True)
    ]


def outline_view(*, asset: MediaAsset | None, with_draft: bool) -> OutlineView:
    """What the API shows of an asset's chapters; the draft only `with_draft` (owner and
    moderators)."""
    outline = Outline.objects.filter(asset_id=asset.pk).first() if asset is not None else None
    if outline is None:
        if asset is None:
            status, reason = "none", None
        elif not llm.is_enabled():
            status, reason = "disabled", DISABLED_REASON
        else:
            status, reason = "pending", "Chapters are drafted once the transcript is ready."
        empty = [] if with_draft else None
        return OutlineView(status, reason, "", [], None, "" if with_draft else None, empty)
    status, reason = outline.status, None
    if status == OutlineStatus.FAILED:
        reason = outline.error or "Drafting failed."
    elif status == OutlineStatus.PENDING and not llm.is_enabled():
        status, reason = "disabled", DISABLED_REASON
    duration = asset.duration_seconds
    return OutlineView(
        status=status,
        reason=reason,
        summary=outline.summary,
        chapters=chapters_with_ends(outline.chapters, duration),
        accepted_at=outline.accepted_at,
        draft_summary=outline.draft_summary if with_draft else None,
        draft_chapters=chapters_with_ends(outline.draft_chapters, duration) if with_draft else None,
    )


# --- drafting ------------------------------------------------------------------------------------


def outline_request(*, asset_id) -> bool:
    """The transcript of an asset is ready (again): draft chapters from it after commit.
    A published outline stays; the new draft waits beside it for review."""
    if not llm.is_enabled():
        return False
    outline, _ = Outline.objects.get_or_create(asset_id=asset_id)
    if outline.status == OutlineStatus.PROCESSING:
        return False
    Outline.objects.filter(pk=outline.pk).update(
        status=OutlineStatus.PENDING, attempts=0, error="", updated_at=timezone.now()
    )
    from media.tasks import draft_outline

    outline_id = outline.pk
    transaction.on_commit(lambda: draft_outline.delay(outline_id))
    return True


def _fail(outline: Outline, message: str) -> None:
    outline.status = OutlineStatus.FAILED
    outline.error = message[:2000]
    outline.heartbeat_at = None
    outline.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])


def transcript_prompt(paragraphs: list[dict]) -> str:
    """The transcript as the model reads it: one `[seconds] text` line per paragraph,
    each shortened alike when the whole would be too long."""
    lines = [(round(float(p["start"])), " ".join(str(p["text"]).split())) for p in paragraphs]
    total = sum(len(text) for _, text in lines) or 1
    keep = min(1.0, MAX_PROMPT_CHARS / total)
    return "\n".join(
        f"[{start}] {text[: max(40, math.floor(len(text) * keep))]}" for start, text in lines
    )


def chapters_clean(raw, *, duration: float | None) -> list[dict]:
    """Chapters as stored: numbers inside the media, in order, distinct starts, the first at
    0, short single-line titles. Raises ValueError naming the first problem."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("Give at least one chapter.")
    if len(raw) > MAX_CHAPTERS:
        raise ValueError(f"At most {MAX_CHAPTERS} chapters.")
    chapters = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValueError(f"Chapter {index + 1} is not an object.")
        start, title = item.get("start"), item.get("title")
        if _number(start) < 0 or not math.isfinite(start):
            raise ValueError(f"Chapter {index + 1} needs a start in seconds.")
        if duration and start >= duration:
            raise ValueError(f"Chapter {index + 1} starts outside the media.")
        title = " ".join(str(title or "").split())
        if not title:
            raise ValueError(f"Chapter {index + 1} needs a title.")
        if len(title) > MAX_TITLE:
            raise ValueError(f"Chapter {index + 1}'s title is longer than {MAX_TITLE} characters.")
        chapters.append({"start": round(float(start), 3), "title": title})
    chapters.sort(key=lambda c: c["start"])
    starts = [c["start"] for c in chapters]
    if len(set(starts)) != len(starts):
        raise ValueError("Two chapters start at the same time.")
    chapters[0]["start"] = 0.0
    return chapters


def _draft_from_answer(answer: dict, *, duration: float | None) -> tuple[str, list[dict]]:
    summary = " ".join(str(answer.get("summary") or "").split())[:MAX_SUMMARY]
    raw = answer.get("chapters")
    if isinstance(raw, list) and duration:
        # A model may mark a chapter past the end; those are dropped, not fatal.
        raw = [c for c in raw if isinstance(c, dict) and _number(c.get("start")) < duration]
    if isinstance(raw, list) and len(raw) > MAX_CHAPTERS:
        raw = raw[:MAX_CHAPTERS]
    if isinstance(raw, list):
        for chapter in raw:
            if isinstance(chapter, dict) and isinstance(chapter.get("title"), str):
                chapter["title"] = chapter["title"][:MAX_TITLE]
    return summary, chapters_clean(raw, duration=duration)


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else -1.0


def outline_run(*, outline_id) -> str:
    """Draft one asset's chapters and summary. Returns "draft", "noop", "gone", "failed",
    "waiting" (no ready transcript) or "disabled"; raises RetryLater after a transient error."""
    if not llm.is_enabled():
        return "disabled"
    claimed = job_claim(JOB, outline_id, fail=_fail, select_related=("asset",))
    if isinstance(claimed, str):
        return claimed
    outline, asset = claimed, claimed.asset
    transcript = Transcript.objects.filter(asset_id=asset.pk).only("status", "paragraphs").first()
    ready = transcript is not None and transcript.status == TranscriptStatus.READY
    if not ready or not transcript.paragraphs:
        job_release(JOB, outline.pk)  # the transcript, once ready again, asks again
        return "waiting"
    try:
        answer = llm.complete_json(
            model=settings.OUTLINE_LLM_MODEL,
            system=SYSTEM,
            user=transcript_prompt(transcript.paragraphs),
        )
        summary, chapters = _draft_from_answer(answer, duration=asset.duration_seconds)
    except llm.LLMError as exc:
        return job_retry_or_fail(JOB, outline, exc.message, terminal=not exc.transient, fail=_fail)
    except ValueError as exc:
        message = f"The language model's chapters were unusable: {exc}"
        return job_retry_or_fail(JOB, outline, message, fail=_fail)
    with transaction.atomic():
        locked = job_own_row(JOB, outline).select_for_update().first()
        if locked is None:
            return "gone"
        locked.draft_summary = summary
        locked.draft_chapters = chapters
        locked.status = OutlineStatus.DRAFT
        locked.error = ""
        locked.heartbeat_at = None
        locked.save()
    return "draft"


# --- the owner's decision --------------------------------------------------------------------


def outline_clean(*, asset: MediaAsset, summary: str | None, chapters) -> tuple[str, list[dict]]:
    """(summary, chapters) as they would be published; raises InvalidInput for what is not
    publishable."""
    try:
        cleaned = chapters_clean(chapters, duration=asset.duration_seconds)
    except ValueError as exc:
        raise InvalidInput(errors={"chapters": [str(exc)]})
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(errors={"summary": [f"At most {MAX_SUMMARY} characters."]})
    return summary, cleaned


def outline_published(*, asset: MediaAsset) -> tuple[str, list[dict]]:
    """(summary, chapters) published now; empty when none."""
    outline = Outline.objects.filter(asset_id=asset.pk).first()
    return (outline.summary, outline.chapters) if outline is not None else ("", [])


def outline_draft(*, asset: MediaAsset) -> tuple[str, list[dict]]:
    """(summary, chapters) the language model drafted. Raises InvalidInput when there is none."""
    outline = Outline.objects.filter(asset_id=asset.pk).first()
    if outline is None or not outline.draft_chapters:
        raise InvalidInput(errors={"draft": ["There is no drafted outline to accept yet."]})
    return outline.draft_summary, outline.draft_chapters


def outline_publish(*, asset: MediaAsset, user, summary: str | None, chapters) -> Outline:
    """The owner's (or a moderator's) chapters and summary become the published ones:
    written by hand or edited from the draft. Raises InvalidInput; changes nothing then."""
    summary, cleaned = outline_clean(asset=asset, summary=summary, chapters=chapters)
    with transaction.atomic():
        outline, _ = Outline.objects.get_or_create(asset_id=asset.pk)
        outline = Outline.objects.select_for_update().get(pk=outline.pk)
        outline.summary = summary
        outline.chapters = cleaned
        outline.accepted_by = user
        outline.accepted_at = timezone.now()
        if outline.status == OutlineStatus.FAILED:
            outline.status = OutlineStatus.DRAFT
        outline.save()
    return outline


def outline_accept_draft(*, asset: MediaAsset, user) -> Outline:
    """Publish the draft as the model wrote it. Raises InvalidInput when there is none."""
    summary, chapters = outline_draft(asset=asset)
    return outline_publish(asset=asset, user=user, summary=summary, chapters=chapters)


def chapters_vtt(*, asset: MediaAsset) -> str | None:
    """The published chapters as a WebVTT chapters track (kind="chapters"); None if none."""
    outline = Outline.objects.filter(asset_id=asset.pk).only("chapters").first()
    if outline is None or not outline.chapters:
        return None
    cues = [
        Cue(start=c["start"], end=c["end"], lines=[c["title"]])
        for c in chapters_with_ends(outline.chapters, asset.duration_seconds)
    ]
    return captions.vtt_write(cues)


def chapters_json(*, asset: MediaAsset) -> dict | None:
    """The published chapters in the Podcasting 2.0 JSON chapters format (the
    `application/json+chapters` document podcast apps read); None if none."""
    outline = Outline.objects.filter(asset_id=asset.pk).only("chapters").first()
    if outline is None or not outline.chapters:
        return None
    return chapters_document(outline.chapters, duration=asset.duration_seconds)


def chapters_document(chapters: list[dict], *, duration: float | None) -> dict:
    return {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c["start"], "endTime": c["end"], "title": c["title"]}
            for c in chapters_with_ends(chapters, duration)
        ],
    }
