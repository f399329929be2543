"""Deepgram speech-to-text: the one module that talks to it (official SDK, deepgram-sdk).

Pre-recorded transcription (`POST {DEEPGRAM_API_URL}/v1/listen`) of a local audio file,
with word timings, punctuation and paragraphs, in the owner's language or the detected one.
Off without DEEPGRAM_API_KEY. The SDK's own retries are turned off: the Celery task retries
transient errors with the project's backoff, and terminal ones fail the transcript at once.
"""

from dataclasses import dataclass, field
from pathlib import Path

import httpx
from deepgram import DeepgramClient
from deepgram.core.api_error import ApiError
from deepgram.environment import DeepgramClientEnvironment
from django.conf import settings

DISABLED_REASON = "Transcription is not configured on this server (no DEEPGRAM_API_KEY)."
# What Deepgram answers when a retry may work: rate limits, timeouts, its own failures.
TRANSIENT_STATUSES = {408, 409, 429}


class TranscriptionError(Exception):
    """Transcription failed; `transient` says whether trying again may help."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass
class Recognised:
    """What the service heard: the language, words as (start, end, text) with punctuation,
    and paragraphs as {"start", "end", "text"}."""

    language: str
    duration: float
    words: list[tuple[float, float, str]] = field(default_factory=list)
    paragraphs: list[dict] = field(default_factory=list)


def is_enabled() -> bool:
    return bool(settings.DEEPGRAM_API_KEY)


def _client() -> DeepgramClient:
    base = settings.DEEPGRAM_API_URL.rstrip("/")
    environment = DeepgramClientEnvironment(
        base=base,
        production=base.replace("https://", "wss://").replace("http://", "ws://"),
        agent=DeepgramClientEnvironment.PRODUCTION.agent,
        agent_rest=DeepgramClientEnvironment.PRODUCTION.agent_rest,
    )
    return DeepgramClient(
        api_key=settings.DEEPGRAM_API_KEY,
        environment=environment,
        timeout=float(settings.DEEPGRAM_TIMEOUT_SECONDS),
        max_retries=0,
    )


def transcribe(path: Path, *, language: str = "") -> Recognised:
    """Transcribe one audio file. Raises TranscriptionError."""
    if not is_enabled():
        raise TranscriptionError(DISABLED_REASON, transient=False)
    options = {"language": language} if language else {"detect_language": True}
    try:
        with path.open("rb") as handle:
            response = _client().listen.v1.media.transcribe_file(
                request=handle.read(),
                model=settings.DEEPGRAM_TRANSCRIPTION_MODEL,
                punctuate=True,
                smart_format=True,
                paragraphs=True,
                **options,
            )
    except ApiError as exc:
        status = exc.status_code or 0
        transient = status >= 500 or status in TRANSIENT_STATUSES
        raise TranscriptionError(f"Deepgram answered {status}.", transient=transient)
    except httpx.HTTPError as exc:
        raise TranscriptionError(
            f"Deepgram could not be reached: {exc.__class__.__name__}", transient=True
        )
    return _recognised(response, language)


def _recognised(response, language: str) -> Recognised:
    results = getattr(response, "results", None)
    channels = getattr(results, "channels", None) or []
    if not channels or not channels[0].alternatives:
        raise TranscriptionError("Deepgram returned no transcript.", transient=False)
    channel = channels[0]
    best = channel.alternatives[0]
    words = [
        (float(w.start), float(w.end), (w.punctuated_word or w.word or "").strip())
        for w in best.words or []
        if (w.punctuated_word or w.word or "").strip()
    ]
    paragraphs = []
    for paragraph in getattr(getattr(best, "paragraphs", None), "paragraphs", None) or []:
        text = " ".join(s.text.strip() for s in paragraph.sentences or [] if s.text)
        if text:
            paragraphs.append(
                {"start": float(paragraph.start), "end": float(paragraph.end), "text": text}
            )
    detected = getattr(channel, "detected_language", None) or ""
    metadata = getattr(response, "metadata", None)
    return Recognised(
        language=(language or detected or "en")[:16],
        duration=float(getattr(metadata, "duration", 0) or 0),
        words=words,
        paragraphs=paragraphs,
    )
