"""Demo media: generated files stored the way an upload is, and the creators' avatars.

The helpers below are what the other apps' demo modules use for their files: each writes
a generated file, validates and stores it through `asset_create_from_path` (audio and video
are processed by the pipeline once the seeding step commits) and counts the new asset.
"""

import uuid

from accounts.demo import CREATORS
from media import samples
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


def demo_image(context, *, owner, purpose: str, text: str, color) -> MediaAsset:
    data = samples.make_image_bytes(text, color=color)
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


def demo_video(
    context, *, owner, purpose: str, seconds: float = 3.0, tone: int = 330
) -> MediaAsset | None:
    """A test-pattern MP4, or None when the run makes no audio and video."""
    if not context.with_media:
        return None
    path = samples.make_video(context.tmp / f"{uuid.uuid4()}.mp4", seconds=seconds, tone=tone)
    return demo_file(context, owner=owner, purpose=purpose, suffix=".mp4", data=path.read_bytes())


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
            )
            user.save(update_fields=["avatar"])
