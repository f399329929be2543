"""The one way to run FFmpeg and ffprobe: drained pipes, a deadline, and limits in the child.

A child whose stderr is piped but never read blocks once the pipe fills, and a file that
decodes with errors fills it fast; so both pipes are always read on threads (stderr kept
as a bounded tail for the server's log). Every child has a wall-clock deadline, an output
cap (bytes on stdout and, when given, bytes under an output directory) and CPU, address
space and file size limits set between fork and exec. A limit hit kills the child and
raises FFmpegLimitExceeded: terminal (retrying the same file hits it again), with a short
message fit for the uploader; the raw log travels on the exception (`log`) and never
reaches the API.
"""

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings

STDERR_TAIL_BYTES = 16 * 1024
READ_BYTES = 64 * 1024
MB = 1024 * 1024
# Said by the loader or FFmpeg when the address-space limit refuses memory.
_MEMORY_SIGNS = ("cannot allocate memory", "failed to map segment", "out of memory")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CPU_MESSAGE = "Processing used more CPU time than allowed."
OUTPUT_MESSAGE = "Processing produced more output than a file of this length should."


class FFmpegError(Exception):
    """FFmpeg failed on this input. `message` is short and safe to show the uploader;
    `log` is FFmpeg's own words (paths, heap addresses) for the server's log only."""

    terminal = False

    def __init__(self, message: str, returncode: int | None = None, *, log: str = ""):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.log = log


class FFmpegLimitExceeded(FFmpegError):
    """A deadline, output cap or resource limit was hit: retrying the same file won't help."""

    terminal = True


@dataclass(frozen=True)
class Limits:
    deadline: float  # wall-clock seconds
    cpu_seconds: int
    memory_bytes: int
    file_bytes: int  # the largest file the child may write
    stdout_bytes: int | None = None  # the most the child may write to stdout
    output_bytes: int | None = None  # the most it may write under `output_dir`


def limits(*, deadline: float, output_bytes: int | None = None) -> Limits:
    """Limits for one child with this wall-clock budget; CPU time is the budget on every
    core (FFmpeg's threads add up), files at most `output_bytes` (default 64 MB)."""
    cap = output_bytes if output_bytes is not None else 64 * MB
    return Limits(
        deadline=deadline,
        cpu_seconds=max(1, int(deadline * (os.cpu_count() or 1))),
        memory_bytes=settings.MEDIA_FFMPEG_MAX_MEMORY_MB * MB,
        file_bytes=max(cap, 64 * 1024),
        stdout_bytes=cap,
        output_bytes=output_bytes,
    )


def probe_limits(*, stdout_bytes: int = 16 * MB) -> Limits:
    """Limits for ffprobe and other reads of the input that write nothing but stdout."""
    return replace(
        limits(deadline=settings.MEDIA_PROBE_TIMEOUT_SECONDS, output_bytes=stdout_bytes),
        output_bytes=None,
    )


def measure_limits(size_bytes: int) -> Limits:
    """Limits for one demux pass (no decoding) over a file of this size."""
    seconds = settings.MEDIA_PROBE_TIMEOUT_SECONDS + size_bytes / (20 * MB)
    return replace(limits(deadline=seconds, output_bytes=16 * MB), output_bytes=None)


def work_limits(duration: float) -> Limits:
    """Limits for decoding or encoding media that really lasts `duration` seconds: time
    and output scale with it."""
    duration = max(float(duration or 0), 1.0)
    deadline = (
        settings.MEDIA_FFMPEG_MIN_DEADLINE_SECONDS
        + duration * settings.MEDIA_FFMPEG_SECONDS_PER_MEDIA_SECOND
    )
    output = 64 * MB + int(duration * settings.MEDIA_FFMPEG_OUTPUT_BYTES_PER_SECOND)
    return limits(deadline=deadline, output_bytes=output)


def _lower(which: int, soft: int, hard: int) -> None:  # pragma: no cover - in the child
    """Set a limit, never above the hard limit the worker itself runs under."""
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def _preexec(lim: Limits) -> Callable[[], None]:
    def apply():  # pragma: no cover - runs in the child between fork and exec
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PDEATHSIG
        # Soft limits signal (SIGXCPU, SIGXFSZ) or refuse (ENOMEM); the hard CPU limit kills.
        _lower(resource.RLIMIT_CPU, lim.cpu_seconds, lim.cpu_seconds + 5)
        _lower(resource.RLIMIT_AS, lim.memory_bytes, lim.memory_bytes)
        _lower(resource.RLIMIT_FSIZE, lim.file_bytes, lim.file_bytes)
        _lower(resource.RLIMIT_CORE, 0, 0)

    return apply


def _dir_size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


class Process:
    """One FFmpeg/ffprobe child. stdout goes to `on_stdout(bytes)` (or is kept, with
    `capture=True`); stderr's tail is kept for the log. Call `check()` (non-blocking) or
    `wait()`; both raise FFmpegError on failure, FFmpegLimitExceeded on a limit."""

    def __init__(
        self,
        command: list[str],
        *,
        name: str,
        limits: Limits,
        on_stdout: Callable[[bytes], None] | None = None,
        capture: bool = False,
        output_dir: Path | None = None,
    ):
        self.name = name
        self.limits = limits
        self.output_dir = output_dir
        self.on_stdout = on_stdout
        self.captured = bytearray() if capture else None
        self.stdout_bytes = 0
        self.stderr_tail = b""
        self.stderr_bytes = 0
        self.violation: str | None = None  # the user-facing message of a limit hit
        self.cpu_seen = 0.0
        self.broken = ""  # set when on_stdout raised: the output could not be read
        self.started = time.monotonic()
        self._last_dir_check = 0.0
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_preexec(limits),
        )
        self._threads = [
            threading.Thread(target=self._drain_stdout, daemon=True),
            threading.Thread(target=self._drain_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # --- pipes ---------------------------------------------------------------------
    def _drain_stdout(self):
        stream = self.process.stdout
        try:
            while chunk := stream.read1(READ_BYTES):
                self.stdout_bytes += len(chunk)
                cap = self.limits.stdout_bytes
                if cap is not None and self.stdout_bytes > cap:
                    self.fail_limit(OUTPUT_MESSAGE)
                    continue  # keep draining until the child is gone
                if self.captured is not None:
                    self.captured += chunk
                if self.on_stdout is not None and self.violation is None and not self.broken:
                    try:
                        self.on_stdout(chunk)
                    except FFmpegLimitExceeded as exc:
                        self.fail_limit(exc.message)
                    except Exception as exc:  # keep draining; the run fails in _finish
                        self.broken = f"{self.name}: reading the output failed: {exc!r}"
                        self.kill()
        except (OSError, ValueError):
            pass

    def _drain_stderr(self):
        stream = self.process.stderr
        try:
            while chunk := stream.read1(READ_BYTES):
                self.stderr_bytes += len(chunk)
                self.stderr_tail = (self.stderr_tail + chunk)[-STDERR_TAIL_BYTES:]
        except (OSError, ValueError):
            pass

    # --- state ---------------------------------------------------------------------
    def fail_limit(self, message: str) -> None:
        """Record a limit hit and kill the child (safe from any thread)."""
        if self.violation is None:
            self.violation = message
        self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    def log_text(self, lines: int = 40) -> str:
        text = self.stderr_tail.decode("utf-8", "replace").strip()
        kept = [line for line in text.splitlines() if line.strip()][-lines:]
        if self.stderr_bytes > len(self.stderr_tail):
            kept.insert(0, f"[{self.stderr_bytes} bytes of stderr, last lines kept]")
        return "\n".join(kept)

    def _cpu_used(self) -> float:
        """CPU seconds the running child used so far (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return self.cpu_seen
        self.cpu_seen = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        return self.cpu_seen

    def _watch(self) -> None:
        """Enforce the deadline, CPU time (before RLIMIT_CPU has to) and the output cap."""
        now = time.monotonic()
        if now - self.started > self.limits.deadline:
            self.fail_limit("Processing took longer than allowed for a file of this length.")
        elif self._cpu_used() >= self.limits.cpu_seconds:
            self.fail_limit(CPU_MESSAGE)
        elif self.output_dir is not None and now - self._last_dir_check >= 1.0:
            self._last_dir_check = now
            cap = self.limits.output_bytes
            if cap is not None and _dir_size(self.output_dir) > cap:
                self.fail_limit(OUTPUT_MESSAGE)

    def _finish(self) -> int:
        """Reap the child, join the readers and raise for any failure."""
        code = self.process.wait()
        for thread in self._threads:
            thread.join(timeout=5)
        if self.violation is not None:
            raise FFmpegLimitExceeded(self.violation, code, log=self.log_text())
        if self.broken:
            raise FFmpegError(
                f"The file could not be processed ({self.name}).", code, log=self.broken
            )
        if code == 0:
            return 0
        log = self.log_text()
        # FFmpeg exits on SIGXCPU by itself (status 255); the hard limit kills it.
        if code == -signal.SIGXCPU or self.cpu_seen >= self.limits.cpu_seconds - 1:
            raise FFmpegLimitExceeded(CPU_MESSAGE, code, log=log)
        if code == -signal.SIGXFSZ:
            raise FFmpegLimitExceeded(OUTPUT_MESSAGE, code, log=log)
        if any(sign in log.lower() for sign in _MEMORY_SIGNS):
            raise FFmpegLimitExceeded("Processing needed more memory than allowed.", code, log=log)
        raise FFmpegError(f"The file could not be processed ({self.name}).", code, log=log)

    def check(self) -> int | None:
        """None while running; 0 when done; raises on failure or a limit hit."""
        if self.process.poll() is None:
            self._watch()
            if self.process.poll() is None:
                return None
        return self._finish()

    def wait(self, on_tick: Callable[[], None] | None = None, tick: float = 1.0) -> int:
        last = time.monotonic()
        try:
            while self.check() is None:
                if on_tick is not None and time.monotonic() - last >= tick:
                    on_tick()
                    last = time.monotonic()
                time.sleep(0.05)
        finally:
            self.close()
        return 0

    @property
    def stdout(self) -> bytes:
        return bytes(self.captured or b"")

    def close(self) -> None:
        """Kill the child if it still runs and release its pipes."""
        self.kill()
        with contextlib.suppress(Exception):
            self.process.wait(timeout=10)
        for thread in self._threads:
            thread.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()


def run(command: list[str], *, name: str, limits: Limits, **kwargs) -> Process:
    """Run a child to the end (see Process); returns it for its captured stdout and log."""
    process = Process(command, name=name, limits=limits, **kwargs)
    process.wait()
    return process
