"""Video edits on generated clips, checked with ffprobe and decoded pixels and samples."""

import pytest
from PIL import Image

from tests.media.editing import measure
from tests.media.editing.conftest import ready_asset, result_path, stored_path

pytestmark = [pytest.mark.django_db]


def red_pixels(image: Image.Image, box) -> int:
    return sum(1 for p in measure.pixels(image.crop(box)) if measure.is_red(p))


def test_trim_keeps_sound_and_picture_in_step(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit("video-editing/trim", {"source": str(source.id), "start": 0.5, "end": 2.5})
    out = result_path(job)
    info = measure.streams(out)
    assert info["video"]["codec_name"] == "h264" and info["audio"]["codec_name"] == "aac"
    assert info["video"]["pix_fmt"] == "yuv420p"
    assert abs(float(info["video"]["duration"]) - 2.0) < 0.05
    assert abs(float(info["audio"]["duration"]) - 2.0) < 0.05
    assert (job.result.kind, job.result.purpose, job.result.content_type) == (
        "video",
        "video",
        "video/mp4",
    )
    # The first frame of the result is the source's frame at 0.5 s.
    expected = measure.frame(stored_path(source), 0.5)
    assert measure.mean_difference(measure.frame(out, 0.0), expected) < 8


def test_grayscale_frames_have_no_saturation(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    colourful = measure.frame(stored_path(source), 1.0)
    assert any(max(p) - min(p) > 100 for p in measure.pixels(colourful))
    _, job = edit("video-editing/filters", {"source": str(source.id), "grayscale": True})
    still = measure.frame(result_path(job), 1.0)
    assert all(max(p) - min(p) <= 2 for p in measure.pixels(still))


def test_sepia_brightness_and_blur_apply(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit(
        "video-editing/filters",
        {"source": str(source.id), "sepia": True, "brightness": 0.2, "blur": 3},
    )
    before, after = measure.frame(stored_path(source), 1.0), measure.frame(result_path(job), 1.0)
    # Sepia: red >= green >= blue in (nearly) every pixel.
    assert sum(1 for r, g, b in measure.pixels(after) if r + 3 >= g >= b - 3) > 0.98 * 320 * 240
    assert sum(after.convert("L").tobytes()) > sum(before.convert("L").tobytes())


def test_speed_change_halves_the_duration_with_sound_in_sync(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit("video-editing/filters", {"source": str(source.id), "speed": 2.0})
    info = measure.streams(result_path(job))
    video, audio = float(info["video"]["duration"]), float(info["audio"]["duration"])
    assert abs(video - 2.0) < 0.1 and abs(audio - 2.0) < 0.1
    assert abs(video - audio) < 0.1
    assert info["video"]["avg_frame_rate"] == "25/1"


def test_slow_motion_doubles_the_duration(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit("video-editing/filters", {"source": str(source.id), "speed": 0.5})
    info = measure.streams(result_path(job))
    video, audio = float(info["video"]["duration"]), float(info["audio"]["duration"])
    assert abs(video - 8.0) < 0.1 and abs(audio - 8.0) < 0.1


def test_text_overlay_draws_in_its_region_during_its_time_range(owner, blue_video, edit, spawned):
    source = ready_asset(owner, "video", blue_video)
    _, job = edit(
        "video-editing/text-overlay",
        {
            "source": str(source.id),
            "text": "Amen",
            "x": "left",
            "y": "top",
            "size": 40,
            "color": "#FFFFFF",
            "box_color": "#FF0000",
            "start": 1.0,
            "end": 2.0,
        },
    )
    out = result_path(job)
    during = measure.frame(out, 1.5)
    region, elsewhere = (0, 0, 140, 70), (0, 120, 320, 240)
    assert red_pixels(during, region) > 1500
    assert red_pixels(during, elsewhere) == 0
    assert measure.is_blue(during.getpixel((300, 200)))
    for at in (0.5, 2.5):
        assert red_pixels(measure.frame(out, at), (0, 0, 320, 240)) == 0
    # The text went to FFmpeg in a file, never in the command.
    command = " ".join(spawned[0]["command"])
    assert "Amen" not in command and "textfile=" in command and "expansion=none" in command
    assert list(spawned[0]["texts"].values()) == ["Amen"]


@pytest.mark.parametrize(
    "text",
    [
        "'),drawtext=text=x:fontfile=/etc/passwd[",
        "%{pts}",
        "\\",
        "a;b,c[d]e'f\"g\\h:i=j",
    ],
)
def test_filter_injection_in_overlay_text_is_refused(owner, owner_client, blue_video, text):
    from media.models import EditJob

    source = ready_asset(owner, "video", blue_video)
    response = owner_client.post(
        "/api/v1/video-editing/text-overlay",
        {"source": str(source.id), "text": text, "x": 10, "y": 10},
        format="json",
    )
    assert response.status_code == 400
    assert "text" in response.json()["errors"]
    assert EditJob.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    ["Ἐν ἀρχῇ ἦν ὁ λόγος — בְּרֵאשִׁית 🙏", 'God\'s love: John 3:16, "For God so loved"'],
)
def test_hostile_overlay_text_is_drawn_literally(owner, blue_video, edit, spawned, text):
    source = ready_asset(owner, "video", blue_video)
    _, job = edit(
        "video-editing/text-overlay",
        {"source": str(source.id), "text": text, "x": 10, "y": 10, "box_color": "#FF0000"},
    )
    out = result_path(job)
    [record] = spawned
    assert list(record["texts"].values()) == [text]
    if len(text) > 2:  # a lone backslash does appear: it is how FFmpeg paths are escaped
        assert not any(text in arg for arg in record["command"])
    assert "/etc/passwd" not in " ".join(record["command"])
    early, late = measure.frame(out, 0.5), measure.frame(out, 3.0)
    assert red_pixels(early, (0, 0, 320, 120)) > 300
    # `%{pts}` would change every frame if expanded; drawn literally, frames stay the same.
    assert measure.mean_difference(early, late) < 2


def test_image_overlay_at_position_opacity_and_time(owner, blue_video, red_png, edit):
    source = ready_asset(owner, "video", blue_video)
    image = ready_asset(owner, "thumbnail", red_png)
    _, job = edit(
        "video-editing/image-overlay",
        {
            "source": str(source.id),
            "image": str(image.id),
            "x": "right",
            "y": "top",
            "scale": 0.25,
            "opacity": 1.0,
            "start": 1.0,
            "end": 3.0,
        },
    )
    out = result_path(job)
    # 320 px frame: an 80×80 image, 10 px from the top right corner.
    during = measure.frame(out, 2.0)
    assert measure.is_red(during.getpixel((270, 50)))
    assert measure.is_blue(during.getpixel((200, 50)))
    assert measure.is_blue(during.getpixel((270, 120)))
    assert red_pixels(during, (230, 10, 310, 90)) > 0.9 * 80 * 80
    for at in (0.5, 3.5):
        assert measure.is_blue(measure.frame(out, at).getpixel((270, 50)))


def test_image_overlay_opacity_blends(owner, blue_video, red_png, edit):
    source = ready_asset(owner, "video", blue_video)
    image = ready_asset(owner, "thumbnail", red_png)
    _, job = edit(
        "video-editing/image-overlay",
        {"source": str(source.id), "image": str(image.id), "x": 0, "y": 0, "opacity": 0.5},
    )
    r, g, b = measure.frame(result_path(job), 1.0).getpixel((40, 40))
    assert 90 < r < 170 and 90 < b < 170 and g < 40


def test_rotate_turns_the_picture(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit("video-editing/rotate", {"source": str(source.id), "angle": 90})
    out = result_path(job)
    info = measure.streams(out)
    assert (info["video"]["width"], info["video"]["height"]) == (240, 320)
    expected = measure.frame(stored_path(source), 1.0).transpose(Image.Transpose.ROTATE_270)
    assert measure.mean_difference(measure.frame(out, 1.0), expected) < 8


def test_crop_keeps_the_rectangle(owner, pattern_video, edit):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit(
        "video-editing/crop",
        {"source": str(source.id), "x": 40, "y": 20, "width": 160, "height": 120},
    )
    out = result_path(job)
    info = measure.streams(out)
    assert (info["video"]["width"], info["video"]["height"]) == (160, 120)
    expected = measure.frame(stored_path(source), 1.0).crop((40, 20, 200, 140))
    assert measure.mean_difference(measure.frame(out, 1.0), expected) < 8


def test_replace_audio_swaps_the_sound_and_pads_to_the_picture(owner, blue_video, wav_3s, edit):
    source = ready_asset(owner, "video", blue_video)  # 4 s with a 330 Hz tone
    track = ready_asset(owner, "audio", wav_3s)  # 3 s of 660 Hz
    _, job = edit("video-editing/replace-audio", {"source": str(source.id), "audio": str(track.id)})
    out = result_path(job)
    info = measure.streams(out)
    assert abs(float(info["audio"]["duration"]) - float(info["video"]["duration"])) < 0.05
    second = measure.pcm(out, 1.0, 1.0)
    assert measure.tone_power(second, 660) > 50 * measure.tone_power(second, 330)
    assert measure.rms_db(measure.pcm(out, 3.3, 0.5)) < -60  # padded with silence


def test_mix_audio_keeps_both_sounds(owner, blue_video, wav_4s, edit):
    source = ready_asset(owner, "video", blue_video)
    track = ready_asset(owner, "audio", wav_4s)  # 440 Hz
    _, job = edit(
        "video-editing/mix-audio",
        {"source": str(source.id), "audio": str(track.id), "volume": 0.5},
    )
    out = result_path(job)
    second = measure.pcm(out, 1.0, 1.0)
    original, added = measure.tone_power(second, 330), measure.tone_power(second, 440)
    assert original > 0 and added > 0
    assert 0.1 < added / original < 10
    assert measure.tone_power(second, 1000) < 0.01 * min(original, added)


def test_several_operations_apply_in_one_pass(owner, pattern_video, edit, spawned):
    source = ready_asset(owner, "video", pattern_video)
    _, job = edit(
        "video-editing/",
        {
            "source": str(source.id),
            "operations": [
                {"type": "trim", "start": 1.0, "end": 3.0},
                {"type": "crop", "x": 0, "y": 0, "width": 200, "height": 200},
                {"type": "filters", "grayscale": True, "speed": 2.0},
                {"type": "text-overlay", "text": "Psalm 23", "size": 24, "box_color": "#FF0000"},
                {"type": "rotate", "angle": 180},
            ],
        },
    )
    out = result_path(job)
    info = measure.streams(out)
    assert (info["video"]["width"], info["video"]["height"]) == (200, 200)
    assert abs(float(info["video"]["duration"]) - 1.0) < 0.05
    assert abs(float(info["audio"]["duration"]) - 1.0) < 0.1
    [record] = spawned
    assert record["command"].count("-filter_complex") == 1
    # Text drawn before the 180° turn sits upside down at the top.
    still = measure.frame(out, 0.5)
    assert red_pixels(still, (0, 0, 200, 60)) > 200
    assert red_pixels(still, (0, 140, 200, 200)) == 0
