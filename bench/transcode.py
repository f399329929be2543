"""Transcode benchmark, every comparison measured side by side in one run:

- on a compliant 1080p H.264 source, the ladder with its top rung remuxed (`-c:v copy`)
  against a full re-encode (target >= 1.6x), and our one-process ladder against one
  process per rendition (target >= 1.35x);
- on a long source cut into chunks, two workers each pinned to its own core (taskset)
  against one (target >= 1.7x);
- our pipeline end to end against the bare FFmpeg commands it runs (target <= 1.05x);
- the audio renditions + waveform against three bare FFmpeg encodes in parallel.

    python bench/transcode.py [--quick] [--cases ladder,chunked,audio] [--seconds 60]
                              [--long-seconds 600] [--long-height 720] [--chunk-seconds 120]
                              [--preset veryfast]

`--quick` uses CI-sized inputs (seconds, not minutes): it checks the bench runs; its
figures are too small to judge by.
"""

import argparse
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import setup


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(command):
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def make_source(target: Path, seconds: float, height: int, *, kbps: int, keyint: int = 60):
    """A noisy test pattern (so the encoder has work to do) as a streaming-ready H.264/AAC
    MP4: capped bitrate, a keyframe every `keyint` frames (30 fps)."""
    width = height * 16 // 9 + (height * 16 // 9) % 2
    run([
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "veryfast",
        "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps * 2}k",
        "-g", str(keyint), "-keyint_min", str(keyint), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-shortest", str(target),
    ])  # fmt: skip


def pinned_workers(commands: list[list[str]], cores: list[int]) -> float:
    """Run the chunk commands with one worker per core, each pinned to it; seconds taken."""
    todo: queue.Queue = queue.Queue()
    for command in commands:
        todo.put(command)
    errors = []

    def worker(core: int):
        while True:
            try:
                command = todo.get_nowait()
            except queue.Empty:
                return
            try:
                run(["taskset", "-c", str(core), *command])
            except subprocess.CalledProcessError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(core,)) for core in cores]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized inputs")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--long-seconds", type=float, default=600)
    parser.add_argument("--long-height", type=int, default=720)
    parser.add_argument("--chunk-seconds", type=int, default=120)
    parser.add_argument("--audio-seconds", type=float, default=240)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument(
        "--cases",
        default="ladder,chunked,audio",
        type=lambda text: set(text.split(",")),
        help="which comparisons to run (comma-separated): ladder, chunked, audio",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.long_seconds, args.long_height = 6, 40, 360
        args.chunk_seconds, args.audio_seconds = 10, 20
    # The 1080p comparisons run in one process; only the long source is chunked (below).
    workdir = setup(
        "transcode",
        MEDIA_X264_PRESET=args.preset,
        CELERY_TASK_ALWAYS_EAGER=1,
        MEDIA_PARALLEL_MIN_SECONDS=10**9,
    )

    from accounts.models import User

    user = User.objects.create(username="bench", email="bench@example.com")
    if "ladder" in args.cases:
        ladder_case(args, workdir, user)
    if "chunked" in args.cases:
        chunked_case(args, workdir)
    if "audio" in args.cases:
        audio_case(args, workdir, user)


def ladder_case(args, workdir: Path, user):
    from django.db import transaction

    from media import ffmpeg, profiles, remux, services
    from media.pipeline import asset_reprocess
    from media.probe import probe

    source = workdir / "source-1080p.mp4"
    print(f"making a {args.seconds:.0f} s compliant 1080p H.264 source …", flush=True)
    make_source(source, args.seconds, 1080, kbps=4500)
    info = probe(source)
    rungs = profiles.video_ladder_for(info.short_side)
    decision = remux.decide_for(source, info, rungs[0])
    assert decision.video, f"the source should be remuxable: {decision.reasons}"

    full = timed(lambda: run(ffmpeg.ladder_command(source, info, rungs, workdir / "full")))
    remuxed = timed(
        lambda: run(remux.ladder_command(source, info, rungs, workdir / "remux", decision))
    )
    per_rung = []
    for rung in rungs:
        out = workdir / f"peer-{rung.name}"
        per_rung.append(
            timed(lambda r=rung, o=out: run(ffmpeg.ladder_command(source, info, [r], o)))
        )
    peers = sum(per_rung)
    stills = timed(
        lambda: run(
            ffmpeg.stills_command(source, info, workdir / "poster.jpg", workdir / "thumb.jpg")
        )
    )

    with transaction.atomic():
        asset = services.asset_create_from_path(
            owner=user, purpose="video", path=source, filename="source.mp4"
        )
    start = time.perf_counter()
    # asset_create_from_path queued processing after commit; in eager mode it ran above,
    # so time a reprocess, which is the same pipeline run end to end.

    with transaction.atomic():
        asset_reprocess(asset=asset)
    pipeline = time.perf_counter() - start
    asset.refresh_from_db()
    assert asset.status == "ready", asset.error
    bare = remuxed + stills

    print(
        f"\nvideo ladder ({', '.join(r.name for r in rungs)}), {args.seconds:.0f} s 1080p "
        f"H.264 at 4.5 Mbps, x264 preset {args.preset}"
    )
    print(f"  full re-encode, one process   {full:8.2f} s")
    print(f"  top rung remuxed              {remuxed:8.2f} s")
    print(f"  remux speed-up                {full / remuxed:8.2f}×   (target ≥ 1.6×)")
    print(
        f"  one process per rendition     {peers:8.2f} s  "
        f"({', '.join(f'{r.name} {t:.1f}' for r, t in zip(rungs, per_rung, strict=True))})"
    )
    print(f"  one process vs per rendition  {peers / full:8.2f}×   (target ≥ 1.35×)")
    print(f"  our pipeline end to end       {pipeline:8.2f} s")
    print(f"  bare commands (ladder+stills) {bare:8.2f} s")
    print(f"  pipeline / bare FFmpeg        {pipeline / bare:8.2f}×   (target ≤ 1.05×)")


def chunked_case(args, workdir: Path):
    from django.conf import settings

    from media import chunked
    from media.probe import probe

    cores = sorted(os.sched_getaffinity(0))[:2]
    if len(cores) < 2 or not shutil.which("taskset"):
        print("\nchunked encode: needs two cores and taskset; skipped")
    else:
        long = workdir / "long.mp4"
        print(f"\nmaking a {args.long_seconds:.0f} s {args.long_height}p source …", flush=True)
        # Above the top rung's cap, so every rung is encoded in the chunks.
        make_source(long, args.long_seconds, args.long_height, kbps=8000)
        long_info = probe(long)
        settings.MEDIA_CHUNK_SECONDS = args.chunk_seconds
        split_dir = workdir / "split"
        start = time.perf_counter()
        plan, files = chunked.split(long, long_info, split_dir)
        split = time.perf_counter() - start

        def commands(tag: str) -> list[list[str]]:
            out = workdir / tag
            shutil.rmtree(out, ignore_errors=True)
            return [chunked.chunk_command(plan, i, f, out) for i, f in enumerate(files)]

        one = pinned_workers(commands("one-worker"), cores[:1])
        two = pinned_workers(commands("two-workers"), cores)
        print(
            f"long video: {args.long_seconds:.0f} s {args.long_height}p "
            f"({', '.join(plan['rungs'])}), {len(files)} chunks of ~{args.chunk_seconds} s"
        )
        print(f"  cut at keyframes + audio     {split:8.2f} s")
        print(f"  one worker (core {cores[0]})        {one:8.2f} s")
        print(f"  two workers (cores {cores[0]},{cores[1]})   {two:8.2f} s")
        print(f"  speed-up                     {one / two:8.2f}×   (target ≥ 1.7×)")


def audio_case(args, workdir: Path, user):
    from django.conf import settings
    from django.db import transaction

    from media import ffmpeg, profiles, services
    from media.pipeline import asset_reprocess
    from media.probe import probe

    tone = workdir / "track.mp3"
    run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={args.audio_seconds}", "-ac", "2", "-b:a", "192k",
         str(tone)])  # fmt: skip
    tone_info = probe(tone)
    out = workdir / "bare-audio"

    def bare_parallel():
        procs = [
            subprocess.Popen(ffmpeg.audio_command(tone, tone_info, rung, out),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            for rung in profiles.AUDIO_LADDER
        ]  # fmt: skip
        for proc in procs:
            assert proc.wait() == 0

    bare_audio = timed(bare_parallel)
    with transaction.atomic():
        audio = services.asset_create_from_path(
            owner=user, purpose="audio", path=tone, filename="track.mp3"
        )
    start = time.perf_counter()
    with transaction.atomic():
        asset_reprocess(asset=audio)
    audio_pipeline = time.perf_counter() - start
    audio.refresh_from_db()
    assert audio.status == "ready", audio.error
    print(
        f"\naudio: {args.audio_seconds:.0f} s track, AAC "
        f"{'/'.join(str(r.audio_kbps) for r in profiles.AUDIO_LADDER)} kbps + "
        f"{settings.MEDIA_WAVEFORM_PEAKS}-peak waveform"
    )
    print(f"  three bare encodes in parallel {bare_audio:7.2f} s")
    print(f"  our pipeline (with waveform)   {audio_pipeline:7.2f} s")
    print(f"  pipeline / bare                {audio_pipeline / bare_audio:7.2f}×   (target ≤ 1.2×)")


if __name__ == "__main__":
    main()
