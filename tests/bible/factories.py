"""Factories for the Bible tests. Media assets are plain rows (no FFmpeg): ready, with an
output prefix, so signed URLs are built as for processed files."""

import uuid

import factory
from django.utils.text import slugify

from bible.models import BibleStory, DocumentAsset
from catalog.models import Artist, Category, Podcast
from cnt.models import ModerationStatus
from media.models import AssetKind, AssetStatus, MediaAsset
from tests.factories import UserFactory


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    owner = factory.SubFactory(UserFactory)
    kind = AssetKind.VIDEO
    status = AssetStatus.READY
    storage_key = factory.LazyFunction(lambda: f"video/{uuid.uuid4()}.mp4")
    output_prefix = factory.LazyFunction(lambda: f"derived/{uuid.uuid4()}")
    duration_seconds = 95.0


class AudioAssetFactory(AssetFactory):
    kind = AssetKind.AUDIO
    storage_key = factory.LazyFunction(lambda: f"audio/{uuid.uuid4()}.mp3")


class ImageAssetFactory(AssetFactory):
    kind = AssetKind.IMAGE
    storage_key = factory.LazyFunction(lambda: f"images/thumbnails/{uuid.uuid4()}.jpg")
    output_prefix = ""
    duration_seconds = None


class DocumentFileFactory(AssetFactory):
    kind = AssetKind.DOCUMENT
    purpose = "document"
    storage_key = factory.LazyFunction(lambda: f"documents/{uuid.uuid4()}.pdf")
    output_prefix = ""
    duration_seconds = None
    metadata = factory.LazyFunction(lambda: {"page_count": 12})


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Bible category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BibleStory

    title = factory.Sequence(lambda n: f"Story {n}")
    owner = factory.SubFactory(UserFactory)
    status = ModerationStatus.APPROVED
    video = factory.SubFactory(AssetFactory, owner=factory.SelfAttribute("..owner"))


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentAsset

    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.SubFactory(DocumentFileFactory)
    cover = factory.SubFactory(ImageAssetFactory)
    page_count = 12


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.username)


class PodcastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Podcast

    title = factory.Sequence(lambda n: f"Podcast {n}")
    owner = factory.SubFactory(UserFactory)
    artist = factory.LazyAttribute(lambda o: ArtistFactory(user=o.owner))
    status = ModerationStatus.APPROVED
    audio = factory.SubFactory(AudioAssetFactory, owner=factory.SelfAttribute("..owner"))
