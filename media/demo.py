"""Demo media: generated files stored the way an upload is, and the creators' avatars.

The helpers below are what the other apps' demo modules use for their files: each writes
a generated file, validates and stores it through `asset_create_from_path` (audio and video
are processed by the pipeline once the seeding step commits) and counts the new asset.
"""

import uuid

from accounts.demo import CREATORS
from media import demo_media, samples
from media.models import AssetPurpose, MediaAsset
from media.services import asset_create_from_path

AVATAR_COLORS = {
    "pastor_james": (120, 60, 40),
    "grace_choir": (40, 110, 80),
    "kingdom_films": (70, 50, 120),
}


def demo_file(context, *, owner, purpose: str, suffix: str, data: bytes) -> MediaAsset:
    path = context.tmp / f"{uuid.uuid4()}{suffix}"
    path.write_bytes(data)
    context.created += 1
    return asset_create_from_path(owner=owner, purpose=purpose, path=path, filename=f"demo{suffix}")


def demo_image(
    context, *, owner, purpose: str, text: str, color, subtitle: str = "", size=(1400, 1400)
) -> MediaAsset:
    """A cover drawn with Pillow: a gradient from `color`, the title legible as a thumbnail
    (1400 px square by default: the smallest artwork podcast directories accept)."""
    dark = tuple(max(0, c // 4) for c in color)
    data = demo_media.cover_bytes(text, subtitle=subtitle, size=size, colors=(color, dark))
    return demo_file(context, owner=owner, purpose=purpose, suffix=".jpg", data=data)


def demo_document(context, *, owner, text: str) -> MediaAsset:
    """A one-page PDF."""
    data = samples.make_image_bytes(text, size=(612, 792), fmt="PDF")
    return demo_file(context, owner=owner, purpose=AssetPurpose.DOCUMENT, suffix=".pdf", data=data)


def demo_audio(context, *, owner, frequency: int, seconds: float = 4.0) -> MediaAsset | None:
    """A tone as MP3, or None when the run makes no audio and video."""
    if not context.with_media:
        return None
    path = samples.make_tone(
        context.tmp / f"{uuid.uuid4()}.mp3", seconds=seconds, frequency=frequency
    )
    return demo_file(
        context, owner=owner, purpose=AssetPurpose.AUDIO, suffix=".mp3", data=path.read_bytes()
    )


def demo_speech(context, *, owner, paragraphs: list[str]) -> MediaAsset | None:
    """A spoken sermon or episode (espeak-ng) as MP3; a tone, with a warning, without
    espeak-ng; None when the run makes no audio and video."""
    if not context.with_media:
        return None
    if not demo_media.speech_available():
        _warn_speech(context)
        return demo_audio(context, owner=owner, frequency=262, seconds=8.0)
    path = demo_media.speak(context.tmp / f"{uuid.uuid4()}.mp3", paragraphs)
    return demo_file(
        context, owner=owner, purpose=AssetPurpose.AUDIO, suffix=".mp3", data=path.read_bytes()
    )


def demo_melody(context, *, owner, tune: str) -> MediaAsset | None:
    """A tune (see demo_media.melody) as MP3, or None when the run makes no audio."""
    if not context.with_media:
        return None
    path = demo_media.melody(context.tmp / f"{uuid.uuid4()}.mp3", tune)
    return demo_file(
        context, owner=owner, purpose=AssetPurpose.AUDIO, suffix=".mp3", data=path.read_bytes()
    )


def demo_film(
    context, *, owner, purpose: str, title: str, narration: list[str], color, seconds=12.0
) -> MediaAsset | None:
    """A 720p film with a narration (a three-rung ladder), or None without audio and video."""
    if not context.with_media:
        return None
    if not demo_media.speech_available():
        _warn_speech(context)
    dark = tuple(max(0, c // 4) for c in color)
    path = demo_media.film(
        context.tmp / f"{uuid.uuid4()}.mp4",
        title,
        narration=narration,
        seconds=seconds,
        colors=(color, dark),
    )
    return demo_file(context, owner=owner, purpose=purpose, suffix=".mp4", data=path.read_bytes())


def _warn_speech(context) -> None:
    message = (
        "espeak-ng not found: demo sermons are tones, not speech. Install it "
        "(apt-get install espeak-ng) before seeding a new database for spoken sermons."
    )
    if message not in context.warnings:
        context.warnings.append(message)


def seed(context) -> None:
    if context.with_media and not samples.ffmpeg_available():
        context.with_media = False
        context.warnings.append(
            "FFmpeg not found: demo rows are created without media. "
            "Install it (apt-get install ffmpeg) and run seed_demo again to add media."
        )
    for username, name, _ in CREATORS:
        user = context.users[username]
        if user.avatar_id is None:
            user.avatar = demo_image(
                context,
                owner=user,
                purpose=AssetPurpose.PROFILE,
                text=name,
                color=AVATAR_COLORS[username],
                size=(512, 512),
            )
            user.save(update_fields=["avatar"])
