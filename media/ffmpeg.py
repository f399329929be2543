"""FFmpeg commands of the pipeline, and jobs that report progress and never leak a process
(every child runs through media/ffexec.py: drained pipes, a deadline, resource limits).

The whole video ladder is one FFmpeg process that decodes the source once and feeds a
`split` filter into one encoder per rung; audio renditions are separate processes run in
parallel, because FFmpeg's AAC encoder is single-threaded.

Filter graphs are written out here and in media/editing/commands.py rather than built
with ffmpeg-python: its last release (0.2.0) is from 2019 and imports the `future` Python 2
compatibility package at run time; the graphs here hold no user input (numbers we format,
fixed filters), and the editor's one function that quotes values for both levels of the
filter syntax (`escape_value`, the same two levels ffmpeg-python escapes) is pinned by its
tests. The command lists go to the one runner (media/ffexec.py) either way.
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from media import ffexec, profiles
from media.ffexec import FFmpegError as FFmpegError  # raised by the runs below
from media.ffexec import FFmpegLimitExceeded as FFmpegLimitExceeded
from media.probe import ProbeResult, input_args

OUTGROW_MARGIN_SECONDS = 5.0
OUTGROWN_MESSAGE = "The file holds more media than its header declares."


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
    command = [*base_command(), *input_args(src, info.demuxer)]
    if not rungs:
        return command
    command += ["-filter_complex", ladder_graph(info, rungs)]
    for i, rung in enumerate(rungs):
        target = out_dir / rung.name
        target.mkdir(parents=True, exist_ok=True)
        command += ["-map", f"[v{i}]"]
        if info.has_audio:
            command += ["-map", "0:a:0"]
        command += video_encode_args(rung, info.fps)
        if info.has_audio:
            command += audio_encode_args(rung.audio_kbps, rung.audio_channels)
        command += hls_output_args(target)
    return command


def ladder_graph(info: ProbeResult, rungs: list[profiles.VideoProfile]) -> str:
    """The filter graph scaling the first video stream into one output per rung, labelled
    [v0], [v1], ... (rungs from the largest down).

    The scalers are chained: each rung is scaled from the one above it rather than from the
    source, so a 1080p source is read at full size once and the small rungs scale small
    frames. Every rung's size is fixed from the source's (as `scale=-2:h` would give it from
    the source), so the chain changes no output size."""
    width, height = info.display_size
    if not width or not height or len(rungs) == 1:
        return _parallel_graph(info, rungs)
    graph, source = [], "[0:v:0]"
    for i, rung in enumerate(rungs):
        w, h = rung_size(width, height, rung.height)
        chain = f"{source}scale={w}:{h}:flags=bicubic,setsar=1"
        if i == 0:
            chain += ",format=yuv420p"
        if i == len(rungs) - 1:
            graph.append(f"{chain}[v{i}]")
        else:
            graph.append(f"{chain},split=2[v{i}][c{i}]")
            source = f"[c{i}]"
    return ";".join(graph)


def rung_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """A rung's frame size from the source's: the short side `short_side`, the long side in
    the source's proportion rounded to an even number, as FFmpeg's `scale=-2:h` rounds it."""
    if height > width:
        return short_side, 2 * ((short_side * height + width) // (2 * width))
    return 2 * ((short_side * width + height) // (2 * height)), short_side


def _parallel_graph(info: ProbeResult, rungs: list[profiles.VideoProfile]) -> str:
    """Every rung scaled from the source (its size unknown, or a single rung)."""
    width, height = info.display_size
    portrait = (height or 0) > (width or 0)
    labels = "".join(f"[s{i}]" for i in range(len(rungs)))
    graph = [f"[0:v:0]split={len(rungs)}{labels}"]
    for i, rung in enumerate(rungs):
        scale = f"scale={rung.height}:-2" if portrait else f"scale=-2:{rung.height}"
        graph.append(f"[s{i}]{scale}:flags=bicubic,setsar=1,format=yuv420p[v{i}]")
    return ";".join(graph)


def video_encode_args(rung: profiles.VideoProfile, fps: float | None) -> list[str]:
    """x264 settings of one rung: capped bitrate, a keyframe at every segment start."""
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    gop = max(1, round((fps or 25.0) * segment))
    return [
        "-c:v", "libx264", "-preset", settings.MEDIA_X264_PRESET,
        "-profile:v", rung.h264_profile, "-level:v", rung.h264_level,
        "-b:v", f"{rung.video_kbps}k", "-maxrate", f"{rung.maxrate_kbps}k",
        "-bufsize", f"{rung.bufsize_kbps}k",
        "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{segment})",
    ]  # fmt: skip


def audio_encode_args(kbps: int, channels: int = 2) -> list[str]:
    return [
        "-c:a", "aac", "-b:a", f"{kbps}k", "-ac", str(channels),
        "-ar", str(profiles.AUDIO_SAMPLE_RATE),
    ]  # fmt: skip


def hls_output_args(
    target: Path, segments: str = "seg_%05d.ts", playlist: str = "index.m3u8"
) -> list[str]:
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    return [
        "-f", "hls", "-hls_time", str(segment), "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", str(target / segments), str(target / playlist),
    ]  # fmt: skip


def audio_command(src: Path, info: ProbeResult, rung: profiles.AudioProfile, out_dir: Path):
    target = out_dir / rung.name
    target.mkdir(parents=True, exist_ok=True)
    return [
        *base_command(), *input_args(src, info.demuxer),
        "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", f"{rung.audio_kbps}k",
        "-ac", str(rung.channels), "-ar", str(profiles.AUDIO_SAMPLE_RATE),
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
    """One running FFmpeg process whose `-progress` output is parsed as it is drained.

    With `max_duration`, the run stops (a limit hit) once its output passes the length
    the input was measured at: a file may hold more than its header and our probe said."""

    def __init__(
        self,
        command: list[str],
        duration: float,
        name: str = "",
        *,
        max_duration: float | None = None,
        output_dir: Path | None = None,
        limits: ffexec.Limits | None = None,
    ):
        self.name = name
        self.duration = max(duration, 0.001)
        self.progress = 0.0
        self.out_seconds = 0.0
        self.allowed_seconds = (
            None if max_duration is None else max_duration * 1.05 + OUTGROW_MARGIN_SECONDS
        )
        self._pending = b""
        self.child = ffexec.Process(
            command,
            name=name,
            limits=limits or ffexec.work_limits(max(duration, max_duration or 0)),
            on_stdout=self._on_progress,
            output_dir=output_dir,
        )

    def _on_progress(self, chunk: bytes) -> None:
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        self._pending = self._pending[-256:]
        for raw in lines:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key in ("out_time_us", "out_time_ms") and value.isdigit():
                self.out_seconds = int(value) / 1_000_000
                self.progress = min(1.0, self.out_seconds / self.duration)
                if self.allowed_seconds is not None and self.out_seconds > self.allowed_seconds:
                    raise ffexec.FFmpegLimitExceeded(OUTGROWN_MESSAGE)
            elif key == "progress" and value == "end":
                self.progress = 1.0

    def poll(self) -> int | None:
        """None while running, 0 when done; raises FFmpegError on failure."""
        return self.child.check()

    def kill(self):
        self.child.kill()

    def error_text(self) -> str:
        return self.child.log_text()

    def close(self):
        self.child.close()


def run_jobs(
    jobs: list[Job], on_tick: Callable[[list[Job]], None] | None = None, tick: float = 1.0
) -> None:
    """Wait for every job, calling `on_tick` about once a second; kill all on any failure."""
    try:
        last = 0.0
        while True:
            codes = [job.poll() for job in jobs]
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


def run_simple(command: list[str], name: str, *, duration: float | None = None) -> None:
    """Run one short FFmpeg command (a still, a probe-like read) to the end."""
    limits = ffexec.work_limits(duration) if duration else ffexec.probe_limits()
    ffexec.run(command, name=name, limits=limits)
