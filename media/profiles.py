"""Rendition profiles, declared once as data. The pipeline and the tests read these."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoProfile:
    name: str
    height: int  # of the short side, so portrait phone videos get the same ladder
    video_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    audio_kbps: int
    h264_profile: str
    h264_level: str
    codecs: str  # RFC 6381 string for the master playlist


@dataclass(frozen=True)
class AudioProfile:
    name: str
    audio_kbps: int
    codecs: str = "mp4a.40.2"


VIDEO_LADDER = (
    VideoProfile("1080p", 1080, 5000, 5350, 7500, 128, "high", "4.0", "avc1.640028,mp4a.40.2"),
    VideoProfile("720p", 720, 2800, 3000, 4200, 128, "high", "3.1", "avc1.64001f,mp4a.40.2"),
    VideoProfile("480p", 480, 1400, 1500, 2100, 96, "main", "3.0", "avc1.4d401e,mp4a.40.2"),
    VideoProfile("360p", 360, 800, 856, 1200, 96, "main", "3.0", "avc1.4d401e,mp4a.40.2"),
)

AUDIO_LADDER = (
    AudioProfile("aac_256k", 256),
    AudioProfile("aac_128k", 128),
    AudioProfile("aac_64k", 64),
)

POSTER_MAX_WIDTH = 1280
THUMBNAIL_WIDTH = 320
AUDIO_SAMPLE_RATE = 44100
WAVEFORM_SAMPLE_RATE = 8000

HLS_DIR = "hls"
MASTER_PLAYLIST = "hls/master.m3u8"
POSTER = "poster.jpg"
THUMBNAIL = "thumbnail.jpg"
WAVEFORM = "waveform.json"


def video_ladder_for(short_side: int) -> list[VideoProfile]:
    """The rungs at or below the source; a source under the lowest rung gets one rung at its
    own size with the lowest rung's settings."""
    rungs = [p for p in VIDEO_LADDER if p.height <= short_side]
    if rungs:
        return rungs
    low = VIDEO_LADDER[-1]
    height = max(2, short_side - short_side % 2)
    return [
        VideoProfile(
            f"{height}p",
            height,
            low.video_kbps,
            low.maxrate_kbps,
            low.bufsize_kbps,
            low.audio_kbps,
            low.h264_profile,
            low.h264_level,
            low.codecs,
        )
    ]
