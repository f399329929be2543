"""Transcripts and captions of audio and video assets: request, transcribe, store, upload.

Content above the media layer decides which assets are spoken word (catalog/kinds.py,
`is_spoken_word`) and calls `transcript_request`; the transcript is made after processing
by the `media.transcribe_asset` task, which claims the row like every job (media/jobs.py),
retries transient Deepgram errors with backoff and fails at once on terminal ones. Each new
set of captions (generated or uploaded) becomes the current track of its language; older
tracks are kept as history. The current track of the spoken language also feeds the search
segments and the read-along paragraphs.
"""

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cnt.errors import InvalidInput
from media import captions, ffmpeg, outlines, storage, transcription
from media.captions import CaptionsInvalid, Cue
from media.jobs import JobSpec, job_claim, job_own_row, job_release, job_retry_or_fail
from media.models import (
    AssetKind,
    AssetStatus,
    CaptionSource,
    CaptionTrack,
    MediaAsset,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
)
from media.probe import input_args

logger = logging.getLogger("cnt.media.transcripts")

TRANSCRIBED_KINDS = (AssetKind.AUDIO, AssetKind.VIDEO)

JOB = JobSpec(
    model=Transcript,
    waiting=(TranscriptStatus.PENDING,),
    running=TranscriptStatus.PROCESSING,
    retry_status=TranscriptStatus.PENDING,
    failed=TranscriptStatus.FAILED,
    noun="transcript",
    interrupted_message="Transcription was interrupted too many times.",
    # One request is the whole run (no progress to beat on): a claim is live for as long as
    # a request may take.
    stale_seconds=lambda: settings.DEEPGRAM_TIMEOUT_SECONDS + 300,
)


# --- state as the API shows it ---------------------------------------------------------------


def captions_state(asset: MediaAsset | None, *, is_spoken_word: bool) -> tuple[str, str | None]:
    """(captions_status, reason): `none` for content without speech to transcribe,
    `disabled` while transcription is off (nothing waits in a queue), else the
    transcript's status; `ready` whenever captions exist (uploaded ones too)."""
    transcript = getattr(asset, "transcript", None) if asset is not None else None
    if transcript is not None and transcript.caption_languages:
        return TranscriptStatus.READY, None
    if asset is None or asset.kind not in TRANSCRIBED_KINDS or not is_spoken_word:
        return "none", None
    if transcript is None or transcript.status == TranscriptStatus.PENDING:
        if not transcription.is_enabled():
            return "disabled", transcription.DISABLED_REASON
        return TranscriptStatus.PENDING, None
    if transcript.status == TranscriptStatus.FAILED:
        return TranscriptStatus.FAILED, transcript.error or "Transcription failed."
    return transcript.status, None


# --- requesting and scheduling ---------------------------------------------------------------


def transcript_request(*, asset: MediaAsset, language: str = "") -> Transcript | None:
    """Spoken-word content streams `asset`: make sure it has a transcript, transcribed once
    the asset is processed (now, if it already is). Safe to call twice."""
    if asset.kind not in TRANSCRIBED_KINDS:
        return None
    with transaction.atomic():
        # The asset's row lock orders this against processing's publish (which locks it
        # too): either publish is done and the asset reads ready here, or publish runs after
        # this commits and finds the transcript waiting. Either way it is scheduled once.
        locked = MediaAsset.objects.select_for_update().only("id", "status").get(pk=asset.pk)
        transcript, _ = Transcript.objects.get_or_create(
            asset_id=asset.pk, defaults={"requested_language": language}
        )
        transcript_schedule(transcript=transcript, asset=locked)
    return transcript


def transcript_schedule(*, transcript: Transcript, asset: MediaAsset) -> bool:
    """Queue the transcription after commit when there is something to do; never while
    transcription is off (the state says so instead)."""
    if not transcription.is_enabled():
        return False
    if transcript.status != TranscriptStatus.PENDING or asset.status != AssetStatus.READY:
        return False
    from media.tasks import transcribe_asset

    transcript_id = transcript.pk
    transaction.on_commit(lambda: transcribe_asset.delay(transcript_id))
    return True


def transcripts_schedule_for_asset(*, asset: MediaAsset) -> bool:
    """Called when processing publishes an asset: a waiting transcript can run now."""
    transcript = Transcript.objects.filter(asset_id=asset.pk).first()
    return transcript is not None and transcript_schedule(transcript=transcript, asset=asset)


def transcripts_requeue(*, include_failed: bool = False) -> int:
    """Queue every waiting transcript of a processed asset (and failed ones, if asked:
    they start again with fresh attempts). Returns how many were queued."""
    statuses = [TranscriptStatus.PENDING]
    if include_failed:
        statuses.append(TranscriptStatus.FAILED)
        Transcript.objects.filter(status=TranscriptStatus.FAILED).update(
            status=TranscriptStatus.PENDING, attempts=0, error=""
        )
    waiting = Transcript.objects.filter(
        status=TranscriptStatus.PENDING, asset__status=AssetStatus.READY
    ).select_related("asset")
    return sum(
        transcript_schedule(transcript=t, asset=t.asset) for t in waiting.iterator(chunk_size=500)
    )


# --- the run ---------------------------------------------------------------------------------


def _fail(transcript: Transcript, message: str) -> None:
    transcript.status = TranscriptStatus.FAILED
    transcript.error = message[:2000]
    transcript.heartbeat_at = None
    transcript.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])


def _speech_audio(src: Path, target: Path, *, duration: float | None) -> None:
    """Mono 16 kHz Opus: all speech recognition needs, a fraction of the upload. Run with
    the limits of work on a file of this (measured) duration (media/ffexec.py)."""
    command = [
        settings.FFMPEG_BINARY, "-hide_banner", "-nostdin", "-y", "-v", "error",
        *input_args(src), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000",
        "-c:a", "libopus", "-b:a", "24k", "-f", "ogg", f"file:{target}",
    ]  # fmt: skip
    ffmpeg.run_simple(command, "speech audio", duration=duration or None)


def transcript_run(*, transcript_id) -> str:
    """Transcribe one asset. Returns "ready", "noop", "gone", "failed", "waiting" (asset not
    processed yet) or "disabled"; raises RetryLater after a transient error."""
    if not transcription.is_enabled():
        return "disabled"
    claimed = job_claim(JOB, transcript_id, fail=_fail, select_related=("asset",))
    if isinstance(claimed, str):
        return claimed
    transcript, asset = claimed, claimed.asset
    if asset.status != AssetStatus.READY:
        job_release(JOB, transcript.pk)  # processing's publish schedules it again
        return "waiting"
    workdir = Path(tempfile.mkdtemp(prefix="cnt-speech-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        audio = workdir / "speech.ogg"
        with storage.local_copy(asset.storage_key) as src:
            _speech_audio(src, audio, duration=asset.duration_seconds)
        heard = transcription.transcribe(audio, language=transcript.requested_language)
    except transcription.TranscriptionError as exc:
        return job_retry_or_fail(
            JOB, transcript, exc.message, terminal=not exc.transient, fail=_fail
        )
    except (ffmpeg.FFmpegError, OSError, subprocess.SubprocessError) as exc:
        message = getattr(exc, "message", None) or f"Audio extraction failed: {exc}"
        return job_retry_or_fail(JOB, transcript, message, fail=_fail)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _store_recognised(transcript, heard)


def _store_recognised(transcript: Transcript, heard: transcription.Recognised) -> str:
    cues = captions.cues_from_words(heard.words)
    with transaction.atomic():
        locked = job_own_row(JOB, transcript).select_for_update().first()
        if locked is None:
            return "gone"
        try:
            language = captions.language_normalise(heard.language or "en")
        except CaptionsInvalid:
            language = "en"
        if locked.source != CaptionSource.UPLOADED or not locked.language:
            locked.language = language
        locked.words = [[round(s, 3), round(e, 3), w] for s, e, w in heard.words]
        uploaded = CaptionTrack.objects.filter(
            asset_id=locked.asset_id, language=language, is_current=True,
            source=CaptionSource.UPLOADED,
        ).exists()  # fmt: skip
        if not uploaded:
            locked.source = CaptionSource.GENERATED
            locked.paragraphs = heard.paragraphs or captions.paragraphs_from_cues(cues)
        locked.status = TranscriptStatus.READY
        locked.error = ""
        locked.heartbeat_at = None
        locked.completed_at = timezone.now()
        locked.save()
        if cues:
            _track_add(
                transcript=locked,
                language=language,
                cues=cues,
                source=CaptionSource.GENERATED,
                user=None,
                make_current=not uploaded,
            )
        if not uploaded and locked.paragraphs:
            outlines.outline_request(asset_id=locked.asset_id)
    return "ready"


# --- caption tracks --------------------------------------------------------------------------


def _track_add(
    *,
    transcript: Transcript,
    language: str,
    cues: list[Cue],
    source: str,
    user,
    make_current: bool = True,
) -> CaptionTrack:
    """A new version of the captions of `language` (in the caller's transaction, with the
    transcript locked): current unless told otherwise, the old current one kept as history;
    the search segments follow the current track of the spoken language."""
    if make_current:
        CaptionTrack.objects.filter(
            asset_id=transcript.asset_id, language=language, is_current=True
        ).update(is_current=False)
    track = CaptionTrack.objects.create(
        asset_id=transcript.asset_id,
        language=language,
        source=source,
        vtt=captions.vtt_write(cues),
        cue_count=len(cues),
        is_current=make_current,
        created_by=user,
    )
    if make_current:
        languages = sorted({*transcript.caption_languages, language})
        if languages != transcript.caption_languages:
            transcript.caption_languages = languages
            transcript.save(update_fields=["caption_languages", "updated_at"])
        if language == transcript.language:
            _segments_replace(transcript.asset_id, cues)
    return track


def _segments_replace(asset_id, cues: list[Cue]) -> None:
    """The search segments of an asset, and the transcript's one-document text."""
    Transcript.objects.filter(asset_id=asset_id).update(text="\n".join(c.text for c in cues))
    TranscriptSegment.objects.filter(asset_id=asset_id).delete()
    TranscriptSegment.objects.bulk_create(
        [
            TranscriptSegment(
                asset_id=asset_id,
                position=position,
                start=cue.start,
                end=cue.end,
                text=cue.text,
                words=cue.words,
            )
            for position, cue in enumerate(cues)
        ],
        batch_size=1000,
    )


def captions_upload(*, asset: MediaAsset, language: str, data: bytes, user) -> CaptionTrack:
    """Owner's or moderator's captions (WebVTT or SRT): validated, normalised to WebVTT and
    made the current track of `language`, replacing generated captions (kept as history).
    For the spoken language (or when none is known yet) they also become the transcript
    that search and read-along use. Raises InvalidInput; changes nothing then."""
    if asset.kind not in TRANSCRIBED_KINDS:
        raise InvalidInput(errors={"file": ["Only audio and video have captions."]})
    try:
        language = captions.language_normalise(language)
    except CaptionsInvalid as exc:
        raise InvalidInput(errors={"language": [str(exc)]})
    try:
        cues = captions.captions_parse(data)
    except CaptionsInvalid as exc:
        raise InvalidInput(errors={"file": [str(exc)]})
    duration = asset.duration_seconds or 0
    if duration and cues[-1].start > duration + 1:
        raise InvalidInput(errors={"file": ["The captions run past the end of the media."]})
    with transaction.atomic():
        transcript, _ = Transcript.objects.get_or_create(asset=asset)
        transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
        if not transcript.language or transcript.language == language:
            transcript.language = language
            transcript.source = CaptionSource.UPLOADED
            transcript.paragraphs = captions.paragraphs_from_cues(cues)
            transcript.words = [[w[0], w[0], w[1]] for cue in cues for w in cue.words]
            if transcript.status != TranscriptStatus.PROCESSING:
                transcript.status = TranscriptStatus.READY
                transcript.error = ""
                transcript.completed_at = timezone.now()
            transcript.save()
            if transcript.status == TranscriptStatus.READY:
                outlines.outline_request(asset_id=asset.pk)
        return _track_add(
            transcript=transcript,
            language=language,
            cues=cues,
            source=CaptionSource.UPLOADED,
            user=user,
        )


def transcript_language_set(*, asset: MediaAsset, language: str, user) -> Transcript:
    """The owner says which language is spoken: generated captions are made again in it
    (the generated tracks in use are retired to the history; uploaded ones stay). Raises
    InvalidInput for a bad tag, Conflict while a transcription runs."""
    from cnt.errors import Conflict

    if asset.kind not in TRANSCRIBED_KINDS:
        raise InvalidInput(errors={"language": ["Only audio and video are transcribed."]})
    try:
        language = captions.language_normalise(language)
    except CaptionsInvalid as exc:
        raise InvalidInput(errors={"language": [str(exc)]})
    with transaction.atomic():
        locked_asset = MediaAsset.objects.select_for_update().only("id", "status").get(pk=asset.pk)
        transcript, _ = Transcript.objects.get_or_create(asset_id=asset.pk)
        transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
        if transcript.status == TranscriptStatus.PROCESSING:
            raise Conflict("The item is being transcribed; set the language when it is done.")
        if transcript.requested_language == language and transcript.status in (
            TranscriptStatus.PENDING,
            TranscriptStatus.READY,
        ):
            return transcript
        retired = CaptionTrack.objects.filter(
            asset_id=asset.pk, is_current=True, source=CaptionSource.GENERATED
        )
        gone = set(retired.values_list("language", flat=True))
        retired.update(is_current=False)
        transcript.caption_languages = [x for x in transcript.caption_languages if x not in gone]
        transcript.requested_language = language
        transcript.status = TranscriptStatus.PENDING
        transcript.attempts = 0
        transcript.error = ""
        if transcript.source == CaptionSource.GENERATED:
            transcript.language = language
            transcript.text = ""
            TranscriptSegment.objects.filter(asset_id=asset.pk).delete()
        transcript.save()
        transcript_schedule(transcript=transcript, asset=locked_asset)
    return transcript


def captions_current(*, asset_id, language_slug: str) -> CaptionTrack | None:
    """The current track whose language has this path slug (media/playback.py)."""
    for track in CaptionTrack.objects.filter(asset_id=asset_id, is_current=True).only(
        "id", "language", "vtt"
    ):
        if captions.language_slug(track.language) == language_slug:
            return track
    return None
