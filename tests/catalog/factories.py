"""factory_boy factories for the catalogue. Media assets are plain rows (no FFmpeg): ready,
with an output prefix, so signed URLs are built as for processed files."""

import uuid

import factory
from django.utils.text import slugify

from catalog.models import (
    Artist,
    Category,
    Movie,
    MusicTrack,
    Playlist,
    PlaylistItem,
    Podcast,
)
from cnt.models import ModerationStatus
from media.models import AssetKind, AssetStatus, MediaAsset, Rendition, RenditionKind
from tests.factories import UserFactory


class MediaAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    owner = factory.SubFactory(UserFactory)
    kind = AssetKind.AUDIO
    status = AssetStatus.READY
    storage_key = factory.LazyFunction(lambda: f"audio/{uuid.uuid4()}.mp3")
    output_prefix = factory.LazyFunction(lambda: f"derived/{uuid.uuid4()}")
    duration_seconds = 120.0


class VideoAssetFactory(MediaAssetFactory):
    kind = AssetKind.VIDEO
    storage_key = factory.LazyFunction(lambda: f"video/{uuid.uuid4()}.mp4")


class ImageAssetFactory(MediaAssetFactory):
    kind = AssetKind.IMAGE
    storage_key = factory.LazyFunction(lambda: f"images/thumbnails/{uuid.uuid4()}.jpg")
    output_prefix = ""
    duration_seconds = None


class RenditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rendition

    asset = factory.SubFactory(MediaAssetFactory)
    name = "waveform"
    kind = RenditionKind.WAVEFORM
    status = "ready"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.display_name or o.user.username)


class ContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Item {n}")
    owner = factory.SubFactory(UserFactory)
    artist = factory.LazyAttribute(lambda o: ArtistFactory(user=o.owner))
    status = ModerationStatus.APPROVED
    duration_seconds = 120


class PodcastFactory(ContentFactory):
    class Meta:
        model = Podcast

    audio = factory.SubFactory(MediaAssetFactory, owner=factory.SelfAttribute("..owner"))


class MovieFactory(ContentFactory):
    class Meta:
        model = Movie

    video = factory.SubFactory(VideoAssetFactory, owner=factory.SelfAttribute("..owner"))


class MusicTrackFactory(ContentFactory):
    class Meta:
        model = MusicTrack

    audio = factory.SubFactory(MediaAssetFactory, owner=factory.SelfAttribute("..owner"))


class PlaylistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playlist

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Playlist {n}")
    is_public = False


TYPE_OF = {Podcast: "podcast", Movie: "movie", MusicTrack: "music"}


def add_items(playlist: Playlist, *objects) -> list[PlaylistItem]:
    """Append rows directly (positions after the last), keeping items_count exact."""
    start = playlist.items.count()
    items = [
        PlaylistItem.objects.create(
            playlist=playlist,
            position=start + n,
            content_type=TYPE_OF[type(obj)],
            object_id=obj.pk,
        )
        for n, obj in enumerate(objects)
    ]
    playlist.items_count = playlist.items.count()
    playlist.save(update_fields=["items_count"])
    return items
