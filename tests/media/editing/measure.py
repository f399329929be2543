"""Measurements of edited media: ffprobe durations, decoded samples, loudness, frames."""

import io
import json
import math
import re
import subprocess
from array import array
from pathlib import Path

from PIL import Image

RATE = 48000


def streams(path: Path) -> dict:
    """{"video": stream, "audio": stream} plus "format"."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    result = {"format": data["format"]}
    for stream in data["streams"]:
        result.setdefault(stream["codec_type"], stream)
    return result


def stream_duration(path: Path, kind: str) -> float:
    return float(streams(path)[kind]["duration"])


def pcm(path: Path, start: float = 0.0, seconds: float | None = None) -> array:
    """Decoded mono 16-bit samples at 48 kHz (the decoder drops encoder padding)."""
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0"]
    if start or seconds is not None:
        trim = f"atrim=start={start}" + (f":duration={seconds}" if seconds is not None else "")
        command += ["-af", f"{trim},asetpts=PTS-STARTPTS"]
    command += ["-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"]
    samples = array("h")
    samples.frombytes(subprocess.run(command, capture_output=True, check=True).stdout)
    return samples


def decoded_seconds(path: Path) -> float:
    return len(pcm(path)) / RATE


def rms_db(samples) -> float:
    if not samples:
        return -120.0
    mean = sum(s * s for s in samples) / len(samples)
    return 20 * math.log10(max(math.sqrt(mean) / 32768, 1e-6))


def tone_power(samples, frequency: float) -> float:
    """Relative power of one frequency (Goertzel), normalised by the number of samples."""
    coeff = 2 * math.cos(2 * math.pi * frequency / RATE)
    s1 = s2 = 0.0
    for sample in samples:
        s0 = sample / 32768 + coeff * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return power / max(1, len(samples)) ** 2


def integrated_loudness(path: Path) -> float:
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = result.stderr.rsplit("Summary:", 1)[-1]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))


def frame(path: Path, at: float) -> Image.Image:
    """The decoded video frame at `at` seconds, as RGB."""
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{at:.3f}", "-i", str(path),
         "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    data = image.convert("RGB").tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size, (a.size, b.size)
    left, right = a.convert("RGB").tobytes(), b.convert("RGB").tobytes()
    return sum(abs(x - y) for x, y in zip(left, right, strict=True)) / len(left)


def is_red(pixel, tolerance: int = 70) -> bool:
    r, g, b = pixel
    return r > 255 - tolerance and g < tolerance and b < tolerance


def is_blue(pixel, tolerance: int = 70) -> bool:
    r, g, b = pixel
    return b > 255 - tolerance and r < tolerance and g < tolerance


def make_color_video(target: Path, *, seconds=4.0, size="320x240", color="blue", tone=330):
    """A flat-colour H.264/AAC clip: overlays show up as clean colour changes."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin",
         "-f", "lavfi", "-i", f"color=c={color}:size={size}:rate=25:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency={tone}:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(target)],
        check=True, timeout=120,
    )  # fmt: skip
    return target


def make_wav(target: Path, *, seconds: float, frequency: int, volume: float = 4.0) -> Path:
    """A stereo sine tone (amplitude 0.5) as 48 kHz WAV: exact duration, known level."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin",
         "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate={RATE}:duration={seconds}",
         "-af", f"volume={volume}", "-ac", "2", "-c:a", "pcm_s16le", str(target)],
        check=True, timeout=120,
    )  # fmt: skip
    return target
