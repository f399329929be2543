"""Rendition profiles, declared once as data. The pipeline, the API and the tests read these.

Rungs come in two tiers: the standard ladder, and a data-saver tier for slow or metered
connections (240p/144p video with mono speech-grade audio, and a 48 kbps mono audio rung).
A listener's quality preference picks which tiers their HLS master lists; downloads are
progressive files remuxed from chosen rungs (see media/downloads.py).
"""

from dataclasses import dataclass, replace

from accounts.models import PlaybackQuality

STANDARD = "standard"
DATA_SAVER = "data_saver"


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
    audio_channels: int = 2
    tier: str = STANDARD


@dataclass(frozen=True)
class AudioProfile:
    name: str
    audio_kbps: int
    codecs: str = "mp4a.40.2"
    channels: int = 2
    tier: str = STANDARD


# FFmpeg's own AAC encoder has no HE-AAC (that needs libfdk_aac, not in Debian's build), so
# the data-saver audio is AAC-LC in mono: at 32-48 kbps one channel keeps speech clear where
# two would smear it.
VIDEO_LADDER = (
    VideoProfile("1080p", 1080, 5000, 5350, 7500, 128, "high", "4.0", "avc1.640028,mp4a.40.2"),
    VideoProfile("720p", 720, 2800, 3000, 4200, 128, "high", "3.1", "avc1.64001f,mp4a.40.2"),
    VideoProfile("480p", 480, 1400, 1500, 2100, 96, "main", "3.0", "avc1.4d401e,mp4a.40.2"),
    VideoProfile("360p", 360, 800, 856, 1200, 96, "main", "3.0", "avc1.4d401e,mp4a.40.2"),
    VideoProfile(
        "240p", 240, 250, 270, 375, 48, "main", "3.0", "avc1.4d401e,mp4a.40.2", 1, DATA_SAVER
    ),
    VideoProfile(
        "144p", 144, 120, 130, 180, 32, "main", "3.0", "avc1.4d401e,mp4a.40.2", 1, DATA_SAVER
    ),
)

AUDIO_LADDER = (
    AudioProfile("aac_256k", 256),
    AudioProfile("aac_128k", 128),
    AudioProfile("aac_64k", 64),
    AudioProfile("speech_48k", 48, channels=1, tier=DATA_SAVER),
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
    height = max(2, short_side - short_side % 2)
    return [replace(VIDEO_LADDER[-1], name=f"{height}p", height=height)]


# --- quality preference --------------------------------------------------------------------

# The preference itself is the user's (accounts.models.PlaybackQuality).
AUTO = PlaybackQuality.AUTO.value
DATA_SAVER_QUALITY = PlaybackQuality.DATA_SAVER.value
HIGH = PlaybackQuality.HIGH.value

# The master playlist a preference plays: every tier, the data-saver tier only, or the
# standard tier only. All three are cut from the one stored master when served.
QUALITY_MASTERS = {
    AUTO: MASTER_PLAYLIST,
    DATA_SAVER_QUALITY: "hls/master_data_saver.m3u8",
    HIGH: "hls/master_high.m3u8",
}
QUALITY_TIERS = {AUTO: None, DATA_SAVER_QUALITY: {DATA_SAVER}, HIGH: {STANDARD}}


def master_for(quality: str | None) -> str:
    return QUALITY_MASTERS.get(quality or AUTO, MASTER_PLAYLIST)


def quality_of_master(path: str) -> str | None:
    """The preference a master playlist path serves, or None for any other path."""
    for quality, master in QUALITY_MASTERS.items():
        if master == path:
            return quality
    return None


_TIERS = {p.name: p.tier for p in (*VIDEO_LADDER, *AUDIO_LADDER)}


def tier_of(rung_name: str) -> str:
    """The tier of a rung by its name; a one-off rung under the lowest ("120p") is below
    every standard rung, so it saves data."""
    if rung_name in _TIERS:
        return _TIERS[rung_name]
    digits = rung_name.removesuffix("p")
    if digits.isdigit() and int(digits) < VIDEO_LADDER[-1].height:
        return DATA_SAVER
    return STANDARD


# --- downloads -----------------------------------------------------------------------------

DOWNLOADS_DIR = "downloads"


@dataclass(frozen=True)
class DownloadChoice:
    """One offline download: a label, and the rung it is remuxed from."""

    quality: str  # high, standard or data-saver
    rung: str
    extension: str  # mp4 for video, m4a for audio

    @property
    def rendition(self) -> str:
        return f"download_{self.quality}"

    @property
    def path(self) -> str:
        return f"{DOWNLOADS_DIR}/{self.rung}.{self.extension}"

    @property
    def content_type(self) -> str:
        return "video/mp4" if self.extension == "mp4" else "audio/mp4"


DOWNLOAD_QUALITIES = (HIGH, STANDARD, DATA_SAVER_QUALITY)
# The tallest rung each video download may be: 1080p stays streaming-only (a phone screen
# shows 720p as well, at half the storage).
VIDEO_DOWNLOAD_HEIGHTS = ((HIGH, 720), (STANDARD, 480), (DATA_SAVER_QUALITY, 240))
AUDIO_DOWNLOAD_RUNGS = (
    (HIGH, "aac_256k"),
    (STANDARD, "aac_128k"),
    (DATA_SAVER_QUALITY, "speech_48k"),
)


def video_downloads_for(rungs: list[VideoProfile]) -> list[DownloadChoice]:
    """For each download quality the tallest rung within its height; a rung that would serve
    two qualities is offered once, under the better one."""
    choices, taken = [], set()
    for quality, tallest in VIDEO_DOWNLOAD_HEIGHTS:
        fitting = [r for r in rungs if r.height <= tallest]
        if not fitting:
            continue
        rung = max(fitting, key=lambda r: r.height)
        if rung.name not in taken:
            taken.add(rung.name)
            choices.append(DownloadChoice(quality, rung.name, "mp4"))
    return choices


def audio_downloads() -> list[DownloadChoice]:
    return [DownloadChoice(quality, rung, "m4a") for quality, rung in AUDIO_DOWNLOAD_RUNGS]


# The download a preference picks first, then the next best.
DEFAULT_DOWNLOAD_ORDER = {
    AUTO: (STANDARD, HIGH, DATA_SAVER_QUALITY),
    DATA_SAVER_QUALITY: (DATA_SAVER_QUALITY, STANDARD, HIGH),
    HIGH: (HIGH, STANDARD, DATA_SAVER_QUALITY),
}
