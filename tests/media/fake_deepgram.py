"""A local fake of Deepgram's pre-recorded API (`POST /v1/listen`) for the real SDK.

It answers with Deepgram's JSON (metadata; results.channels[].alternatives[] with words
{word, start, end, confidence, punctuated_word} and paragraphs; detected_language when
asked to detect). It does not recognise speech: the test says what was said, as phrases
separated by long pauses, and the fake times those words from the audio it receives: it
decodes the upload with FFmpeg, finds the stretches of sound between pauses
(silencedetect), gives each phrase its stretch and spreads the phrase's words over it by
length. So the timings come from the real (espeak-ng) audio that went through the pipeline.
"""

import hashlib
import json
import re
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

API_KEY = "dg-test-key"
MODEL_ID = "1abfe86b-e047-4eed-858a-35e5625b41ee"
PAUSE = 0.6  # seconds of silence that separate phrases


@dataclass
class Call:
    path: str
    query: dict
    headers: dict
    size: int


@dataclass
class FakeDeepgram:
    url: str = ""
    # What was said: phrases, each followed by a pause of at least PAUSE seconds.
    said: list[str] = field(default_factory=list)
    language: str = "en"
    calls: list[Call] = field(default_factory=list)
    # (status, body) answered instead of a transcript, for the next calls.
    failures: list[tuple[int, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def sound_spans(audio: bytes) -> tuple[list[tuple[float, float]], float]:
    """[(start, end)] of the stretches of sound in `audio`, and its duration (FFmpeg)."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(audio)
        handle.flush()
        result = subprocess.run(
            ["ffmpeg", "-hide_banner", "-nostdin", "-i", handle.name, "-af",
             f"silencedetect=noise=-40dB:d={PAUSE}", "-f", "null", "-"],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip
    log = result.stderr.decode()
    duration = _duration(log)
    starts = [float(v) for v in re.findall(r"silence_start: (-?[\d.]+)", log)]
    ends = [float(v) for v in re.findall(r"silence_end: ([\d.]+)", log)]
    spans, cursor = [], 0.0
    for index, silence_start in enumerate(starts):
        if silence_start > cursor + 0.05:
            spans.append((cursor, silence_start))
        cursor = ends[index] if index < len(ends) else duration
    if cursor < duration - 0.05:
        spans.append((cursor, duration))
    return spans, duration


def _duration(log: str) -> float:
    match = re.search(r"Duration: (\d+):(\d+):([\d.]+)", log)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    times = re.findall(r"time=(\d+):(\d+):([\d.]+)", log)
    hours, minutes, seconds = times[-1]
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def timed_words(phrases: list[str], spans: list[tuple[float, float]]) -> list[dict]:
    if len(spans) != len(phrases):
        raise ValueError(f"heard {len(spans)} stretches of sound for {len(phrases)} phrases")
    words = []
    for phrase, (start, end) in zip(phrases, spans, strict=True):
        tokens = phrase.split()
        total = sum(len(t) + 1 for t in tokens)
        cursor = start
        for token in tokens:
            length = (end - start) * (len(token) + 1) / total
            bare = re.sub(r"[^\w']", "", token).lower()
            words.append(
                {
                    "word": bare,
                    "start": round(cursor, 3),
                    "end": round(cursor + length * 0.9, 3),
                    "confidence": 0.98,
                    "punctuated_word": token,
                }
            )
            cursor += length
    return words


def _paragraphs(words: list[dict]) -> dict:
    sentences, current = [], []
    for word in words:
        current.append(word)
        if word["punctuated_word"].endswith((".", "?", "!")) or word is words[-1]:
            sentences.append(
                {
                    "text": " ".join(w["punctuated_word"] for w in current),
                    "start": current[0]["start"],
                    "end": current[-1]["end"],
                }
            )
            current = []
    paragraph = {
        "sentences": sentences,
        "num_words": len(words),
        "start": words[0]["start"] if words else 0.0,
        "end": words[-1]["end"] if words else 0.0,
    }
    text = " ".join(s["text"] for s in sentences)
    return {"transcript": f"\n{text}", "paragraphs": [paragraph] if words else []}


def listen_response(fake: FakeDeepgram, audio: bytes, query: dict) -> dict:
    spans, duration = sound_spans(audio)
    words = timed_words(fake.said, spans)
    alternative = {
        "transcript": " ".join(w["punctuated_word"] for w in words),
        "confidence": 0.98,
        "words": words,
        "paragraphs": _paragraphs(words),
    }
    channel = {"alternatives": [alternative]}
    if query.get("detect_language") == ["true"]:
        channel["detected_language"] = fake.language
        channel["language_confidence"] = 0.97
    return {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": str(uuid.uuid4()),
            "sha256": hashlib.sha256(audio).hexdigest(),
            "created": "2026-12-03T12:00:00.000Z",
            "duration": round(duration, 3),
            "channels": 1,
            "models": [MODEL_ID],
            "model_info": {
                MODEL_ID: {"name": "general-nova-3", "version": "2025-01-01.0", "arch": "nova-3"}
            },
        },  # fmt: skip
        "results": {"channels": [channel]},
    }


def _handler(fake: FakeDeepgram):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            parts = urlsplit(self.path)
            audio = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = parse_qs(parts.query)
            with fake.lock:
                fake.calls.append(Call(parts.path, query, dict(self.headers), len(audio)))
                failure = fake.failures.pop(0) if fake.failures else None
            if self.headers.get("Authorization") != f"Token {API_KEY}":
                return self._send(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid"})
            if parts.path != "/v1/listen":
                return self._send(404, {"err_code": "NOT_FOUND", "err_msg": parts.path})
            if failure is not None:
                return self._send(*failure)
            try:
                body = listen_response(fake, audio, query)
            except (ValueError, subprocess.SubprocessError) as exc:
                return self._send(400, {"err_code": "Bad Request", "err_msg": str(exc)})
            return self._send(200, body)

    return Handler


def start() -> tuple[FakeDeepgram, ThreadingHTTPServer]:
    fake = FakeDeepgram()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


def speak(target: Path, phrases: list[str], pause: float = 1.5) -> list[float]:
    """Real speech with espeak-ng: the phrases with `pause` seconds of silence between
    them, as one WAV file. Returns where each phrase's file starts, in seconds."""
    parts, starts, cursor = [], [], 0.0
    for index, phrase in enumerate(phrases):
        part = target.with_name(f"{target.stem}-{index}.wav")
        subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(part), phrase],
                       check=True, timeout=60, capture_output=True)  # fmt: skip
        starts.append(cursor)
        parts.append(part)
        cursor += _wav_seconds(part) + pause
    inputs, filters = [], []
    for index, part in enumerate(parts):
        inputs += ["-i", str(part)]
        filters.append(f"[{index}:a]aresample=22050,apad=pad_dur={pause}[a{index}]")
    chain = "".join(f"[a{i}]" for i in range(len(parts)))
    filters.append(f"{chain}concat=n={len(parts)}:v=0:a=1[out]")
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-v", "error", *inputs,
         "-filter_complex", ";".join(filters), "-map", "[out]", "-ac", "1", str(target)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    return starts


def _wav_seconds(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)], check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return float(out.stdout.decode().strip())
