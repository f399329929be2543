"""Reads behind the podcast feeds: which episodes an artist's feed lists, which file an
episode's enclosure is, and whether an artist's image may be the channel artwork."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce

from catalog import selectors
from catalog.models import Artist, Podcast
from cnt.models import ModerationStatus
from media.models import AssetStatus, MediaAsset

# The originals podcast apps play, by stored content type: (extension, enclosure type).
# Apple lists audio/x-m4a for .m4a; WAV, FLAC, Ogg and Matroska uploads have no format both
# Apple and Spotify accept (and no downloadable rendition exists, only HLS), so episodes
# whose only file is one of those are left out of the feed.
ENCLOSURE_FORMATS = {
    "audio/mpeg": ("mp3", "audio/mpeg"),
    "audio/mp4": ("m4a", "audio/x-m4a"),
    "audio/x-m4a": ("m4a", "audio/x-m4a"),
    "video/mp4": ("mp4", "video/mp4"),
    "video/quicktime": ("mov", "video/quicktime"),
    "video/x-m4v": ("m4v", "video/x-m4v"),
}
ENCLOSURE_EXTENSIONS = sorted({ext for ext, _ in ENCLOSURE_FORMATS.values()})
# Apple: square, 1400 to 3000 px, JPEG or PNG.
ARTWORK_FORMATS = {"image/jpeg": "jpg", "image/png": "png"}
ARTWORK_EXTENSIONS = sorted(set(ARTWORK_FORMATS.values()))
ARTWORK_MIN_PIXELS = 1400
ARTWORK_MAX_PIXELS = 3000


@dataclass(frozen=True)
class Enclosure:
    asset: MediaAsset
    extension: str
    content_type: str
    length: int


@dataclass(frozen=True)
class Episode:
    podcast: Podcast
    enclosure: Enclosure

    @property
    def has_chapters(self) -> bool:
        """Published chapters of the streamed file (media/outlines.py), loaded with it."""
        asset = selectors.primary_asset(self.podcast)
        outline = getattr(asset, "outline", None) if asset is not None else None
        return bool(outline is not None and outline.chapters)


def _playable_q(field: str) -> Q:
    return Q(
        **{
            f"{field}__status": AssetStatus.READY,
            f"{field}__size_bytes__gt": 0,
            f"{field}__content_type__in": list(ENCLOSURE_FORMATS),
        }
    )


def _episodes_queryset():
    return (
        Podcast.objects.filter(status=ModerationStatus.APPROVED)
        .filter(_playable_q("audio") | _playable_q("video"))
        .select_related("audio", "video", "audio__outline", "video__outline")
    )


def enclosure_of(podcast: Podcast) -> Enclosure | None:
    """The file an episode's enclosure serves: its audio when podcast apps can play it,
    else its video; None when neither is a ready file in a format they accept."""
    for asset in (podcast.audio, podcast.video):
        if asset is None or asset.status != AssetStatus.READY or asset.size_bytes <= 0:
            continue
        fmt = ENCLOSURE_FORMATS.get(asset.content_type)
        if fmt is not None:
            return Enclosure(
                asset=asset, extension=fmt[0], content_type=fmt[1], length=asset.size_bytes
            )
    return None


def feed_artist_get(*, artist_id: int) -> Artist | None:
    return Artist.objects.select_related("cover_image").filter(pk=artist_id).first()


def feed_episode_list(*, artist: Artist) -> list[Episode]:
    """The artist's approved podcasts that have a playable file, newest first (at most
    PODCAST_FEED_MAX_EPISODES)."""
    podcasts = (
        _episodes_queryset()
        .filter(artist=artist)
        .order_by(Coalesce("published_at", "created_at").desc(), "-id")[
            : settings.PODCAST_FEED_MAX_EPISODES
        ]
    )
    episodes = []
    for podcast in podcasts:
        enclosure = enclosure_of(podcast)
        if enclosure is not None:
            episodes.append(Episode(podcast=podcast, enclosure=enclosure))
    return episodes


def feed_episode_get(*, podcast_id: int) -> Episode | None:
    """One episode as its stable enclosure URL serves it; None unless it is public and
    has a playable file."""
    podcast = _episodes_queryset().filter(pk=podcast_id).first()
    enclosure = enclosure_of(podcast) if podcast is not None else None
    return Episode(podcast=podcast, enclosure=enclosure) if enclosure is not None else None


def artwork_of(artist: Artist) -> tuple[MediaAsset, str] | None:
    """The artist's image as channel artwork, with its extension, when podcast directories
    accept it (a ready square JPEG or PNG of 1400 to 3000 px); None otherwise."""
    image = artist.cover_image
    if image is None or image.status != AssetStatus.READY:
        return None
    extension = ARTWORK_FORMATS.get(image.content_type)
    side = image.width or 0
    if (
        extension is None
        or image.width != image.height
        or not ARTWORK_MIN_PIXELS <= side <= ARTWORK_MAX_PIXELS
    ):
        return None
    return image, extension
