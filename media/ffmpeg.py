"""FFmpeg commands of the pipeline, and a runner that reports progress and never leaks a process.

The whole video ladder is one FFmpeg process that decodes the source once and feeds a
`split` filter into one encoder per rung; audio renditions are separate processes run in
parallel, because FFmpeg's AAC encoder is single-threaded.
"""

import ctypes
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from media import profiles
from media.probe import ProbeResult, input_args


class FFmpegError(Exception):
    """FFmpeg exited with an error on this input; `message` is readable by people."""

    def __init__(self, message: str, returncode: int | None = None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def base_command() -> list[str]:
    return [
        settings.FFMPEG_BINARY,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-v",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
    ]


def ladder_command(
    src: Path, info: ProbeResult, rungs: list[profiles.VideoProfile], out_dir: Path
) -> list[str]:
    """One process: decode once, split, scale and encode every rung to HLS."""
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    width, height = info.display_size
    portrait = (height or 0) > (width or 0)
    fps = info.fps or 25.0
    gop = max(1, round(fps * segment))
    labels = "".join(f"[s{i}]" for i in range(len(rungs)))
    graph = [f"[0:v:0]split={len(rungs)}{labels}"]
    for i, rung in enumerate(rungs):
        scale = f"scale={rung.height}:-2" if portrait else f"scale=-2:{rung.height}"
        graph.append(f"[s{i}]{scale}:flags=bicubic,setsar=1,format=yuv420p[v{i}]")
    command = [*base_command(), *input_args(src, info.demuxer), "-filter_complex", ";".join(graph)]
    for i, rung in enumerate(rungs):
        target = out_dir / rung.name
        target.mkdir(parents=True, exist_ok=True)
        command += ["-map", f"[v{i}]"]
        if info.has_audio:
            command += ["-map", "0:a:0"]
        command += [
            "-c:v", "libx264", "-preset", settings.MEDIA_X264_PRESET,
            "-profile:v", rung.h264_profile, "-level:v", rung.h264_level,
            "-b:v", f"{rung.video_kbps}k", "-maxrate", f"{rung.maxrate_kbps}k",
            "-bufsize", f"{rung.bufsize_kbps}k",
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-force_key_frames", f"expr:gte(t,n_forced*{segment})",
        ]  # fmt: skip
        if info.has_audio:
            command += [
                "-c:a", "aac", "-b:a", f"{rung.audio_kbps}k",
                "-ac", "2", "-ar", str(profiles.AUDIO_SAMPLE_RATE),
            ]  # fmt: skip
        command += hls_output_args(target)
    return command


def hls_output_args(target: Path) -> list[str]:
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    return [
        "-f", "hls", "-hls_time", str(segment), "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", str(target / "seg_%05d.ts"), str(target / "index.m3u8"),
    ]  # fmt: skip


def audio_command(src: Path, info: ProbeResult, rung: profiles.AudioProfile, out_dir: Path):
    target = out_dir / rung.name
    target.mkdir(parents=True, exist_ok=True)
    return [
        *base_command(), *input_args(src, info.demuxer),
        "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", f"{rung.audio_kbps}k",
        "-ac", "2", "-ar", str(profiles.AUDIO_SAMPLE_RATE),
        *hls_output_args(target),
    ]  # fmt: skip


def stills_command(src: Path, info: ProbeResult, poster: Path, thumbnail: Path) -> list[str]:
    at = 0.0 if info.duration < 2 else min(info.duration * 0.1, 10.0)
    graph = (
        f"[0:v:0]split=2[a][b];"
        f"[a]scale='min({profiles.POSTER_MAX_WIDTH},iw)':-2,setsar=1[p];"
        f"[b]scale={profiles.THUMBNAIL_WIDTH}:-2,setsar=1[t]"
    )
    return [
        *base_command(), "-ss", f"{at:.3f}", *input_args(src, info.demuxer),
        "-filter_complex", graph,
        "-map", "[p]", "-frames:v", "1", "-q:v", "3", str(poster),
        "-map", "[t]", "-frames:v", "1", "-q:v", "4", str(thumbnail),
    ]  # fmt: skip


def pcm_command(src: Path, info: ProbeResult) -> list[str]:
    return [
        settings.FFMPEG_BINARY, "-hide_banner", "-nostdin", "-v", "error",
        *input_args(src, info.demuxer),
        "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(profiles.WAVEFORM_SAMPLE_RATE),
        "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1",
    ]  # fmt: skip


class Job:
    """One running FFmpeg process whose `-progress` output is parsed on a thread."""

    def __init__(self, command: list[str], duration: float, name: str = ""):
        self.name = name
        self.duration = max(duration, 0.001)
        self.progress = 0.0
        self.stderr_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            preexec_fn=_die_with_parent,
        )
        self.reader = threading.Thread(target=self._read_progress, daemon=True)
        self.reader.start()

    def _read_progress(self):
        for raw in self.process.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key in ("out_time_us", "out_time_ms") and value.isdigit():
                self.progress = min(1.0, int(value) / 1_000_000 / self.duration)
            elif key == "progress" and value == "end":
                self.progress = 1.0

    def poll(self) -> int | None:
        return self.process.poll()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def error_text(self) -> str:
        self.stderr_file.seek(0)
        text = self.stderr_file.read()[-4000:].decode("utf-8", "replace").strip()
        lines = [line for line in text.splitlines() if line.strip()]
        return "\n".join(lines[-5:])

    def close(self):
        self.kill()
        self.reader.join(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()
        self.stderr_file.close()


def run_jobs(
    jobs: list[Job], on_tick: Callable[[list[Job]], None] | None = None, tick: float = 1.0
) -> None:
    """Wait for every job, calling `on_tick` about once a second; kill all on any failure."""
    try:
        last = 0.0
        while True:
            codes = [job.poll() for job in jobs]
            failed = [job for job, code in zip(jobs, codes, strict=True) if code not in (None, 0)]
            if failed:
                job = failed[0]
                detail = job.error_text() or f"exit status {job.process.returncode}"
                raise FFmpegError(f"FFmpeg failed ({job.name}): {detail}", job.process.returncode)
            if all(code == 0 for code in codes):
                for job in jobs:
                    job.progress = 1.0
                break
            now = time.monotonic()
            if on_tick and now - last >= tick:
                on_tick(jobs)
                last = now
            time.sleep(0.1)
    finally:
        for job in jobs:
            job.close()
    if on_tick:
        on_tick(jobs)


def run_simple(command: list[str], name: str, timeout: float = 600) -> None:
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            preexec_fn=_die_with_parent,
        )
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"FFmpeg timed out ({name}).")
    if result.returncode != 0:
        text = result.stderr[-2000:].decode("utf-8", "replace").strip().splitlines()[-3:]
        raise FFmpegError(f"FFmpeg failed ({name}): {' '.join(text)}", result.returncode)
