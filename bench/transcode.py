"""Transcode benchmark: our one-process video ladder against one process per rendition,
our pipeline against the bare FFmpeg command it runs, and the audio renditions + waveform
against three bare FFmpeg encodes in parallel.

    python bench/transcode.py [--seconds 60] [--audio-seconds 240] [--preset veryfast]
"""

import argparse
import subprocess
import sys
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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--audio-seconds", type=float, default=240)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    workdir = setup("transcode", MEDIA_X264_PRESET=args.preset, CELERY_TASK_ALWAYS_EAGER=1)

    from django.conf import settings
    from django.db import transaction

    from accounts.models import User
    from media import ffmpeg, profiles, services
    from media.probe import probe

    source = workdir / "source-1080p.mp4"
    print(f"making a {args.seconds:.0f} s 1080p source …", flush=True)
    run([
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={args.seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={args.seconds}",
        "-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        "-c:a", "aac", "-shortest", str(source),
    ])  # fmt: skip
    info = probe(source)
    rungs = profiles.video_ladder_for(info.short_side)

    ours = timed(lambda: run(ffmpeg.ladder_command(source, info, rungs, workdir / "ours")))
    per_rung = []
    for rung in rungs:
        out = workdir / f"peer-{rung.name}"
        per_rung.append(
            timed(lambda r=rung, o=out: run(ffmpeg.ladder_command(source, info, [r], o)))
        )
    peers = sum(per_rung)

    user = User.objects.create(username="bench", email="bench@example.com")
    with transaction.atomic():
        asset = services.asset_create_from_path(
            owner=user, purpose="video", path=source, filename="source.mp4"
        )
    start = time.perf_counter()
    # asset_create_from_path queued processing after commit; in eager mode it ran above,
    # so time a reprocess, which is the same pipeline run end to end.
    from media.pipeline import asset_reprocess

    with transaction.atomic():
        asset_reprocess(asset=asset)
    pipeline = time.perf_counter() - start
    asset.refresh_from_db()
    assert asset.status == "ready", asset.error

    print(
        f"\nvideo ladder ({', '.join(r.name for r in rungs)}), {args.seconds:.0f} s 1080p, "
        f"x264 preset {args.preset}"
    )
    print(f"  one process, decode once      {ours:8.2f} s")
    print(
        f"  one process per rendition     {peers:8.2f} s  "
        f"({', '.join(f'{r.name} {t:.1f}' for r, t in zip(rungs, per_rung, strict=True))})"
    )
    print(f"  speed-up                      {peers / ours:8.2f}×   (target ≥ 1.35×)")
    print(f"  our pipeline end to end       {pipeline:8.2f} s")
    print(f"  pipeline / bare FFmpeg        {pipeline / ours:8.2f}×   (target ≤ 1.05×)")

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

    bare = timed(bare_parallel)
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
    print(f"  three bare encodes in parallel {bare:7.2f} s")
    print(f"  our pipeline (with waveform)   {audio_pipeline:7.2f} s")
    print(f"  pipeline / bare                {audio_pipeline / bare:7.2f}×   (target ≤ 1.2×)")


if __name__ == "__main__":
    main()
