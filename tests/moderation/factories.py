"""Factories for moderated content of every type (plain rows; media assets need no FFmpeg)."""

import uuid

import factory

from bible.models import BibleStory
from catalog.models import Artist, Movie, MusicTrack, Podcast
from cnt.models import ModerationStatus
from community.models import CommunityPost
from media.models import AssetKind, AssetStatus, MediaAsset
from tests.factories import UserFactory


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    owner = factory.SubFactory(UserFactory)
    kind = AssetKind.AUDIO
    status = AssetStatus.READY
    content_type = "audio/mpeg"
    storage_key = factory.LazyFunction(lambda: f"audio/{uuid.uuid4()}.mp3")
    output_prefix = factory.LazyFunction(lambda: f"derived/{uuid.uuid4()}")
    size_bytes = 1000


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.display_name or o.user.username)


class _ContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Item {n}")
    owner = factory.SubFactory(UserFactory)
    artist = factory.LazyAttribute(lambda o: ArtistFactory(user=o.owner))
    status = ModerationStatus.PENDING


class PodcastFactory(_ContentFactory):
    class Meta:
        model = Podcast


class MovieFactory(_ContentFactory):
    class Meta:
        model = Movie


class MusicTrackFactory(_ContentFactory):
    class Meta:
        model = MusicTrack


class BibleStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BibleStory

    title = factory.Sequence(lambda n: f"Story {n}")
    owner = factory.SubFactory(UserFactory)
    status = ModerationStatus.PENDING


class CommunityPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityPost

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post {n}")
    status = ModerationStatus.PENDING


FACTORIES = {
    "podcast": PodcastFactory,
    "movie": MovieFactory,
    "music": MusicTrackFactory,
    "bible_story": BibleStoryFactory,
    "community_post": CommunityPostFactory,
}
CONTENT_TYPES = list(FACTORIES)


def make(content_type: str, owner=None, **kwargs):
    """One item of `content_type`, owned by `owner` when given."""
    if owner is not None:
        kwargs["author" if content_type == "community_post" else "owner"] = owner
    return FACTORIES[content_type](**kwargs)
