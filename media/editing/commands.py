"""One FFmpeg command per edit job: every operation lands in one filter graph, one pass.

Nothing a user typed is ever written into the graph. Numbers are formatted by us; overlay
text goes to a file read with drawtext's `textfile=` (with `expansion=none`, so `%{...}` is
not interpreted); file paths and expressions are quoted for both levels of FFmpeg's
filter syntax (option value, then filter graph). Inputs are local files opened with the
`file` protocol only and a forced demuxer (media.probe.input_args).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image

from media.editing import fonts
from media.editing.operations import AUDIO, Media, Step
from media.ffmpeg import base_command
from media.probe import ProbeResult, input_args

SAMPLE_RATE = 48000
AUDIO_FORMAT = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
OUTPUT_FORMATS = {
    # name: (extension, encoder options)
    "aac": ("m4a", ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", "-f", "mp4"]),
    "mp3": ("mp3", ["-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"]),
    "mp4": ("mp4", []),
}
AUDIO_OUTPUT_FORMATS = ("aac", "mp3")
VIDEO_OUTPUT_FORMATS = ("mp4",)
SEPIA = "colorchannelmixer=rr=.393:rg=.769:rb=.189:gr=.349:gg=.686:gb=.168:br=.272:bg=.534:bb=.131"


def escape_value(value: str) -> str:
    """Quote one filter option value for both levels of FFmpeg's filter syntax."""
    quoted = "'" + str(value).replace("'", "'\\''") + "'"  # level 1: the option value
    return re.sub(r"([\\'\[\],;])", r"\\\1", quoted)  # level 2: the filter graph


def num(value: float) -> str:
    """A plain decimal (never exponent notation, which filter options may not parse)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _enable(op: dict, media: Media) -> str | None:
    start, end = op.get("start") or 0.0, op.get("end")
    if start <= 0 and end is None:
        return None
    end = media.duration + 1 if end is None else end
    return f"enable={escape_value(f'between(t,{num(start)},{num(end)})')}"


@dataclass
class Source:
    """A local copy of an asset's original and what ffprobe found in it."""

    path: Path
    info: ProbeResult


@dataclass
class Built:
    args: list[str]
    output: Path
    duration: float
    extension: str


class Graph:
    """A filter_complex built chain by chain, with generated pad labels."""

    def __init__(self):
        self.chains: list[str] = []
        self.count = 0

    def chain(self, inputs: list[str], filters: list[str], prefix: str) -> str:
        self.count += 1
        label = f"{prefix}{self.count}"
        pads = "".join(f"[{name}]" for name in inputs)
        self.chains.append(f"{pads}{','.join(filters)}[{label}]")
        return label

    def sink(self, label: str) -> None:
        self.chains.append(f"[{label}]anullsink")

    def render(self) -> str:
        return ";".join(self.chains)


class Inputs:
    def __init__(self):
        self.args: list[str] = []
        self.count = 0

    def add(self, path: Path, demuxer: str | None) -> int:
        self.args += input_args(path, demuxer)
        self.count += 1
        return self.count - 1


# --- audio jobs -----------------------------------------------------------------------------


def _audio_filters(step: Step) -> list[str]:
    op, before = step.op, step.before
    if op["type"] == "trim":
        return [f"atrim=start={num(op['start'])}:end={num(op['end'])}", "asetpts=PTS-STARTPTS"]
    if op["type"] == "fade":
        filters = []
        if op["in"] > 0:
            filters.append(f"afade=t=in:st=0:d={num(op['in'])}")
        if op["out"] > 0:
            start = max(0.0, before.duration - op["out"])
            filters.append(f"afade=t=out:st={num(start)}:d={num(op['out'])}")
        return filters
    if op["type"] == "normalize":
        return [
            f"loudnorm=I={num(op['target'])}:TP={num(op['true_peak'])}:LRA={num(op['lra'])}",
            AUDIO_FORMAT,
        ]
    raise ValueError(op["type"])


def _merge(graph: Graph, labels: list[str], crossfade: float) -> str:
    if crossfade <= 0:
        return graph.chain(labels, [f"concat=n={len(labels)}:v=0:a=1"], "a")
    current = labels[0]
    for label in labels[1:]:
        current = graph.chain([current, label], [f"acrossfade=d={num(crossfade)}"], "a")
    return current


def build_audio(steps: list[Step], primary: list[Source], workdir: Path, output_format: str):
    inputs, graph = Inputs(), Graph()
    labels = []
    for source in primary:
        index = inputs.add(source.path, source.info.demuxer)
        labels.append(graph.chain([f"{index}:a:0"], ["asetpts=PTS-STARTPTS", AUDIO_FORMAT], "a"))
    current = labels[0]
    for step in steps:
        if step.op["type"] == "merge":
            current = _merge(graph, labels, step.op["crossfade"])
        else:
            current = graph.chain([current], _audio_filters(step), "a")
    extension, options = OUTPUT_FORMATS[output_format]
    output = workdir / f"edit.{extension}"
    args = [
        *base_command(),
        *inputs.args,
        "-filter_complex", graph.render(),
        "-map", f"[{current}]", "-vn", "-sn", "-dn", "-map_metadata", "-1",
        "-ar", str(SAMPLE_RATE), "-ac", "2", *options, str(output),
    ]  # fmt: skip
    return Built(args, output, steps[-1].after.duration, extension)


# --- video jobs -----------------------------------------------------------------------------


def _margin(media: Media) -> int:
    return max(4, round(min(media.width, media.height) * 0.04))


def _x(value, media: Media, width_var: str, frame_var: str) -> str:
    if isinstance(value, int):
        return str(value)
    margin = _margin(media)
    return {
        "left": str(margin),
        "center": f"({frame_var}-{width_var})/2",
        "right": f"{frame_var}-{width_var}-{margin}",
    }[value]


def _y(value, media: Media, height_var: str, frame_var: str) -> str:
    if isinstance(value, int):
        return str(value)
    margin = _margin(media)
    return {
        "top": str(margin),
        "center": f"({frame_var}-{height_var})/2",
        "bottom": f"{frame_var}-{height_var}-{margin}",
    }[value]


def _color(value: str) -> str:
    return "0x" + value.lstrip("#").upper()


def drawtext(op: dict, media: Media, text_file: Path) -> str:
    options = [
        f"fontfile={escape_value(str(fonts.font_path('sans')))}",
        f"textfile={escape_value(str(text_file))}",
        "expansion=none",
        f"fontsize={int(op['size'])}",
        f"fontcolor={_color(op['color'])}",
        f"x={escape_value(_x(op['x'], media, 'text_w', 'w'))}",
        f"y={escape_value(_y(op['y'], media, 'text_h', 'h'))}",
        "fix_bounds=1",
    ]
    if op.get("box_color"):
        border = max(2, int(op["size"]) // 4)
        options += ["box=1", f"boxcolor={_color(op['box_color'])}", f"boxborderw={border}"]
    enable = _enable(op, media)
    if enable:
        options.append(enable)
    return "drawtext=" + ":".join(options)


def prepare_overlay_image(src: Path, target: Path, op: dict, media: Media) -> Path:
    """Scale the image to its share of the frame and apply the opacity, as an RGBA PNG."""
    with Image.open(src) as image:
        if image.width * image.height > settings.MEDIA_MAX_IMAGE_PIXELS:
            raise ValueError("overlay image too large")
        image = image.convert("RGBA")
    width = max(1, round(media.width * op["scale"]))
    height = max(1, round(width * image.height / image.width))
    if height > media.height:
        width = max(1, round(width * media.height / height))
        height = media.height
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    if op["opacity"] < 1.0:
        alpha = image.getchannel("A").point(lambda a: round(a * op["opacity"]))
        image.putalpha(alpha)
    image.save(target, format="PNG")
    return target


def _video_step(
    step: Step,
    graph: Graph,
    inputs: Inputs,
    v: str,
    a: str | None,
    aux: dict[str, Source],
    images: dict[str, Path],
    workdir: Path,
) -> tuple[str, str | None]:
    op, before = step.op, step.before
    kind = op["type"]
    if kind == "trim":
        bounds = f"start={num(op['start'])}:end={num(op['end'])}"
        v = graph.chain([v], [f"trim={bounds}", "setpts=PTS-STARTPTS"], "v")
        if a:
            a = graph.chain([a], [f"atrim={bounds}", "asetpts=PTS-STARTPTS"], "a")
    elif kind in ("replace_audio", "mix_audio"):
        source = aux[str(op["audio"])]
        index = inputs.add(source.path, source.info.demuxer)
        filters = ["asetpts=PTS-STARTPTS", AUDIO_FORMAT]
        if kind == "mix_audio":
            filters.append(f"volume={num(op['volume'])}")
        filters += ["apad", f"atrim=end={num(before.duration)}", "asetpts=PTS-STARTPTS"]
        track = graph.chain([f"{index}:a:0"], filters, "a")
        if kind == "mix_audio" and a:
            mix = "amix=inputs=2:duration=first:dropout_transition=0:normalize=0"
            a = graph.chain([a, track], [mix], "a")
        else:
            if a:  # the replaced sound ends here (every pad of a graph must be connected)
                graph.sink(a)
            a = track
    elif kind == "text_overlay":
        text_file = workdir / f"text-{step.index}.txt"
        text_file.write_text(op["text"], encoding="utf-8")
        v = graph.chain([v], [drawtext(op, before, text_file)], "v")
    elif kind == "image_overlay":
        png = prepare_overlay_image(
            images[str(op["image"])], workdir / f"overlay-{step.index}.png", op, before
        )
        index = inputs.add(png, "png_pipe")
        options = [
            f"x={escape_value(_x(op['x'], before, 'w', 'W'))}",
            f"y={escape_value(_y(op['y'], before, 'h', 'H'))}",
            "eof_action=repeat",
        ]
        enable = _enable(op, before)
        if enable:
            options.append(enable)
        v = graph.chain([v, f"{index}:v:0"], ["overlay=" + ":".join(options)], "v")
    elif kind == "filters":
        filters = []
        if op["grayscale"]:
            filters.append("hue=s=0")
        if op["sepia"]:
            filters.append(SEPIA)
        if (op["brightness"], op["contrast"], op["saturation"]) != (0.0, 1.0, 1.0):
            filters.append(
                f"eq=brightness={num(op['brightness'])}:contrast={num(op['contrast'])}"
                f":saturation={num(op['saturation'])}"
            )
        if op["blur"] > 0:
            filters.append(f"gblur=sigma={num(op['blur'])}")
        if op["speed"] != 1.0:
            filters += [f"setpts=PTS/{num(op['speed'])}", f"fps={num(before.fps or 25)}"]
            if a:
                a = graph.chain([a], [f"atempo={num(op['speed'])}"], "a")
        v = graph.chain([v], filters, "v")
    elif kind == "rotate":
        turn = {90: ["transpose=clock"], 180: ["hflip", "vflip"], 270: ["transpose=cclock"]}
        v = graph.chain([v], turn[op["angle"]], "v")
    elif kind == "crop":
        v = graph.chain(
            [v], [f"crop=w={op['width']}:h={op['height']}:x={op['x']}:y={op['y']}"], "v"
        )
    else:
        raise ValueError(kind)
    return v, a


def build_video(
    steps: list[Step],
    primary: Source,
    aux: dict[str, Source],
    images: dict[str, Path],
    workdir: Path,
) -> Built:
    inputs, graph = Inputs(), Graph()
    index = inputs.add(primary.path, primary.info.demuxer)
    v = graph.chain([f"{index}:v:0"], ["setpts=PTS-STARTPTS"], "v")
    a = None
    if primary.info.has_audio:
        a = graph.chain([f"{index}:a:0"], ["asetpts=PTS-STARTPTS", AUDIO_FORMAT], "a")
    for step in steps:
        v, a = _video_step(step, graph, inputs, v, a, aux, images, workdir)
    final = steps[-1].after
    finish = []
    even_w, even_h = final.width - final.width % 2, final.height - final.height % 2
    if (even_w, even_h) != (final.width, final.height):
        finish.append(f"crop=w={even_w}:h={even_h}:x=0:y=0")
    finish += ["setsar=1", "format=yuv420p"]
    v = graph.chain([v], finish, "v")
    output = workdir / "edit.mp4"
    args = [*base_command(), *inputs.args, "-filter_complex", graph.render(), "-map", f"[{v}]"]
    if a:
        args += ["-map", f"[{a}]"]
    args += [
        "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
        "-c:v", "libx264", "-preset", settings.MEDIA_X264_PRESET, "-crf", "21",
        "-pix_fmt", "yuv420p", "-profile:v", "high",
    ]  # fmt: skip
    if a:
        args += ["-c:a", "aac", "-b:a", "160k", "-ar", str(SAMPLE_RATE), "-ac", "2"]
    args += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    return Built(args, output, final.duration, "mp4")


def build(
    kind: str,
    steps: list[Step],
    *,
    primary: list[Source],
    aux: dict[str, Source],
    images: dict[str, Path],
    workdir: Path,
    output_format: str,
) -> Built:
    if kind == AUDIO:
        return build_audio(steps, primary, workdir, output_format)
    return build_video(steps, primary[0], aux, images, workdir)
