"""Demo media worth looking at, made on this machine: spoken sermons (espeak-ng, so
waveforms have the shape of speech and transcripts have real words), music with a melody
(notes with harmonics and an envelope, written as a WAV by the standard library), a 720p
film (a drawn title card with a slow zoom and a narration) and covers drawn with Pillow
(a gradient, the title in DejaVu, legible as a thumbnail). Nothing is downloaded.

Without espeak-ng the speech is a tone and the caller is told (`SpeechMissing`).
"""

import math
import shutil
import struct
import subprocess
import textwrap
import wave
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from media import ffexec
from media.editing.fonts import FontMissing, font_path

SAMPLE_RATE = 22050
NOTES = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}


class SpeechMissing(RuntimeError):
    """espeak-ng is not installed."""


def _ffmpeg(args: list[str], target: Path, *, deadline: int = 300) -> Path:
    command = [settings.FFMPEG_BINARY, "-hide_banner", "-loglevel", "error", "-y", *args]
    ffexec.run(
        [*command, str(target)],
        name="demo media",
        limits=ffexec.limits(deadline=deadline, output_bytes=1024**3),
    )
    return target


# --- speech ------------------------------------------------------------------------------------


def speech_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(target: Path, paragraphs: list[str], *, voice: str = "en-us", pause: float = 1.2) -> Path:
    """The paragraphs read by espeak-ng with a pause between them, as MP3 (mono, 64 kbps)."""
    if not speech_available():
        raise SpeechMissing("espeak-ng is not installed (apt-get install espeak-ng).")
    parts = []
    for index, text in enumerate(paragraphs):
        part = target.with_name(f"{target.stem}-{index}.wav")
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "-p", "40", "-g", "4", "-w", str(part), text],
            check=True,
            timeout=120,
            capture_output=True,
        )
        parts.append(part)
    inputs, chain = [], []
    for index, part in enumerate(parts):
        inputs += ["-i", str(part)]
        chain.append(f"[{index}:a]aresample={SAMPLE_RATE},apad=pad_dur={pause}[a{index}]")
    joined = "".join(f"[a{index}]" for index in range(len(parts)))
    chain.append(f"{joined}concat=n={len(parts)}:v=0:a=1,loudnorm=I=-16[out]")
    _ffmpeg(
        [*inputs, "-filter_complex", ";".join(chain), "-map", "[out]", "-ac", "1",
         "-c:a", "libmp3lame", "-b:a", "64k"],
        target,
    )  # fmt: skip
    for part in parts:
        part.unlink(missing_ok=True)
    return target


# --- music -------------------------------------------------------------------------------------


def _frequency(note: str) -> float:
    """'A4' -> 440 Hz; 'C#5', 'Bb3'; 'R' is a rest (0)."""
    if note == "R":
        return 0.0
    name, rest = note[0], note[1:]
    shift = 0
    if rest and rest[0] in "#b":
        shift, rest = (1 if rest[0] == "#" else -1), rest[1:]
    semitones = NOTES[name] + shift + 12 * (int(rest) - 4)
    return 440.0 * 2 ** (semitones / 12)


def melody(target: Path, tune: str, *, bpm: int = 84) -> Path:
    """A tune written as 'G4:1 C5:2 E5:0.5 ...' (note:beats) played with a soft organ
    voice over a drone of the first note an octave down, as MP3 (stereo, 128 kbps)."""
    beat = 60.0 / bpm
    events = [(_frequency(n), float(b) * beat) for n, b in (t.split(":") for t in tune.split())]
    drone = next((f for f, _ in events if f), 220.0) / 2
    samples = []
    for frequency, seconds in events:
        count = int(seconds * SAMPLE_RATE)
        for i in range(count):
            t = i / SAMPLE_RATE
            envelope = min(1.0, t / 0.03) * min(1.0, (seconds - t) / 0.08) * math.exp(-t * 0.6)
            value = 0.0
            if frequency:
                phase = 2 * math.pi * frequency * t
                value = math.sin(phase) + 0.45 * math.sin(2 * phase) + 0.2 * math.sin(3 * phase)
            samples.append(0.32 * envelope * value)
    wav = target.with_suffix(".wav")
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        total = len(samples)
        frames = bytearray()
        for i, value in enumerate(samples):
            t = i / SAMPLE_RATE
            fade = min(1.0, t / 1.0, (total - i) / SAMPLE_RATE / 1.5)
            value += 0.12 * fade * math.sin(2 * math.pi * drone * t)
            frames += struct.pack("<h", int(max(-1.0, min(1.0, value)) * 32000))
        out.writeframes(bytes(frames))
    _ffmpeg(
        ["-i", str(wav), "-af", "aecho=0.8:0.7:60:0.25,stereotools=mlev=1", "-ac", "2",
         "-c:a", "libmp3lame", "-b:a", "128k"],
        target,
    )  # fmt: skip
    wav.unlink(missing_ok=True)
    return target


# --- pictures ----------------------------------------------------------------------------------


def _font(size: int, *, bold: bool = True) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(font_path("sans_bold" if bold else "sans")), size)
    except FontMissing:
        return ImageFont.load_default(size=size)


def cover(
    title: str, *, subtitle: str = "", size: tuple[int, int] = (1400, 1400), colors=None
) -> Image.Image:
    """A gradient from one colour to another (top to bottom), a soft circle of
    light, the title large enough to read at 160 px wide and a smaller subtitle."""
    width, height = size
    top, bottom = colors or ((38, 70, 120), (12, 18, 40))
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    light = Image.new("L", size, 0)
    radius = int(min(size) * 0.42)
    ImageDraw.Draw(light).ellipse(
        [
            width * 0.62 - radius,
            height * 0.3 - radius,
            width * 0.62 + radius,
            height * 0.3 + radius,
        ],
        fill=70,
    )
    light = light.filter(ImageFilter.GaussianBlur(radius // 3))
    image = Image.composite(Image.new("RGB", size, (255, 244, 214)), image, light)
    draw = ImageDraw.Draw(image)
    margin = int(width * 0.08)
    title_size = max(18, int(min(width, height * 1.2) / 9))
    font = _font(title_size)
    lines = textwrap.wrap(title, width=max(8, int((width - 2 * margin) / (title_size * 0.62))))
    y = height - margin - len(lines) * int(title_size * 1.15)
    if subtitle:
        y -= int(title_size * 0.9)
    for line in lines[:4]:
        draw.text((margin + 3, y + 3), line, font=font, fill=(0, 0, 0))
        draw.text((margin, y), line, font=font, fill=(255, 255, 255))
        y += int(title_size * 1.15)
    if subtitle:
        draw.text(
            (margin, y + int(title_size * 0.2)),
            subtitle,
            font=_font(int(title_size * 0.45), bold=False),
            fill=(235, 225, 200),
        )
    bar = max(4, width // 120)
    draw.rectangle([margin, margin, margin + width // 6, margin + bar], fill=(235, 190, 90))
    return image


def cover_bytes(title: str, *, fmt: str = "JPEG", **kwargs) -> bytes:
    import io

    buffer = io.BytesIO()
    cover(title, **kwargs).save(buffer, format=fmt, quality=88)
    return buffer.getvalue()


# --- film --------------------------------------------------------------------------------------


def film(
    target: Path,
    title: str,
    *,
    narration: list[str],
    seconds: float = 12.0,
    size: tuple[int, int] = (1280, 720),
    colors=None,
) -> Path:
    """A 720p H.264/AAC film: the title card drawn wider than the frame, panned across
    slowly, with the narration spoken over it (a tone without espeak-ng)."""
    width, height = size
    card = target.with_suffix(".png")
    cover(title, subtitle="CNT Media", size=(width * 5 // 4, height), colors=colors).save(card)
    voice = target.with_name(f"{target.stem}-voice.mp3")
    if speech_available():
        speak(voice, narration)
        audio = ["-i", str(voice)]
    else:
        audio = ["-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}"]
    pan = f"crop=w={width}:h={height}:x='(iw-{width})*t/{seconds}':y=0"
    _ffmpeg(
        ["-loop", "1", "-framerate", "25", "-i", str(card), *audio,
         "-filter_complex", f"[0:v]{pan},format=yuv420p[v];[1:a]apad[a]",
         "-map", "[v]", "-map", "[a]", "-t", f"{seconds}",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "50",
         "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart"],
        target,
        deadline=600,
    )  # fmt: skip
    card.unlink(missing_ok=True)
    voice.unlink(missing_ok=True)
    return target
