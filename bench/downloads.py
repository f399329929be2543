"""What the phone features cost, measured side by side in one run: the video ladder with
and without its data-saver rungs, the download remuxes against the ladder they come from,
and the bytes a listener saves (data-saver rungs) or stores twice (downloads).

    python bench/downloads.py [--seconds 60] [--audio-seconds 240] [--preset veryfast]
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


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(size: int) -> str:
    return f"{size / 1e6:7.2f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--audio-seconds", type=float, default=240)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    workdir = setup("downloads", MEDIA_X264_PRESET=args.preset)

    from media import downloads, ffmpeg, profiles
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
    standard = [r for r in rungs if r.tier == profiles.STANDARD]

    out = workdir / "ladder"
    full = timed(lambda: run(ffmpeg.ladder_command(source, info, rungs, out)))
    without = timed(
        lambda: run(ffmpeg.ladder_command(source, info, standard, workdir / "standard"))
    )
    choices = profiles.video_downloads_for(rungs)
    remuxed = {}

    def remux_all():
        for choice in choices:
            remuxed[choice] = downloads.remux(
                out / choice.rung, workdir / choice.path, duration=info.duration
            )

    remux = timed(remux_all)
    hls_bytes = {r.name: tree_bytes(out / r.name) for r in rungs}

    print(f"\nvideo, {args.seconds:.0f} s 1080p, x264 preset {args.preset}")
    print(f"  ladder, standard rungs only      {without:8.2f} s  ({len(standard)} rungs)")
    print(f"  ladder with 240p + 144p          {full:8.2f} s  ({full / without:.2f}×)")
    print(
        f"  remux of {len(choices)} downloads            {remux:8.2f} s  "
        f"({remux / full:.1%} of the ladder's time)"
    )
    for choice, made in remuxed.items():
        segments = hls_bytes[choice.rung]
        print(
            f"    {choice.quality:<10} {choice.rung:>5}  {mb(made.size_bytes)}  "
            f"{made.duration:7.2f} s  (HLS segments {mb(segments)}, "
            f"file/segments {made.size_bytes / segments:.3f})"
        )
    stored = sum(hls_bytes.values())
    extra = sum(made.size_bytes for made in remuxed.values())
    print(f"  HLS ladder stored                {mb(stored)}")
    print(f"  downloads stored on top          {mb(extra)}  (+{extra / stored:.0%})")
    per_minute = {name: size / args.seconds * 60 for name, size in hls_bytes.items()}
    print(
        "  bytes per minute streamed:       "
        + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in per_minute.items())
    )

    tone = workdir / "sermon.mp3"
    run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={args.audio_seconds}", "-ac", "2", "-b:a", "192k",
         str(tone)])  # fmt: skip
    tone_info = probe(tone)
    audio_out = workdir / "audio"
    times = {}
    for rung in profiles.AUDIO_LADDER:
        command = ffmpeg.audio_command(tone, tone_info, rung, audio_out)
        times[rung.name] = timed(lambda c=command: run(c))
    audio_remux = timed(
        lambda: [
            downloads.remux(audio_out / c.rung, workdir / c.path, duration=tone_info.duration)
            for c in profiles.audio_downloads()
        ]
    )
    print(f"\naudio, {args.audio_seconds:.0f} s track")
    for rung in profiles.AUDIO_LADDER:
        size = tree_bytes(audio_out / rung.name)
        print(
            f"  {rung.name:<11} {rung.channels} ch  {mb(size)}  "
            f"{size * 8 / args.audio_seconds / 1000:6.1f} kbps  encode {times[rung.name]:6.2f} s"
        )
    encodes = sum(times.values())
    print(
        f"  remux of 3 M4A downloads  {audio_remux:6.2f} s  "
        f"({audio_remux / encodes:.1%} of the encodes' time)"
    )


if __name__ == "__main__":
    main()
