"""Every unique and check constraint rejects a violating row at the database."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bible.models import BibleStory, DocumentAsset
from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    MusicTrack,
    Playlist,
    PlaylistItem,
)
from community.models import CommunityPost, Like
from finance.models import BankDetails, Donation, PaymentAccount
from live.models import LiveStream
from media.models import MediaAsset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_user_email_is_unique_ignoring_case():
    UserFactory(email="Grace@Example.com")
    assert_rejected(lambda: UserFactory(email="grace@example.COM"))


def test_username_is_unique_ignoring_case():
    UserFactory(username="Samuel")
    assert_rejected(lambda: UserFactory(username="sAMUEL", email="other@example.com"))


def test_one_follow_per_user_and_artist():
    artist = Artist.objects.create(user=UserFactory(), name="Choir")
    fan = UserFactory()
    ArtistFollower.objects.create(artist=artist, user=fan)
    assert_rejected(lambda: ArtistFollower.objects.create(artist=artist, user=fan))
    assert ArtistFollower.objects.count() == 1


def test_one_artist_profile_per_user():
    owner = UserFactory()
    Artist.objects.create(user=owner, name="One")
    assert_rejected(lambda: Artist.objects.create(user=owner, name="Two"))


def test_one_like_per_user_and_post():
    post = CommunityPost.objects.create(author=UserFactory(), body="Amen")
    fan = UserFactory()
    Like.objects.create(post=post, user=fan)
    assert_rejected(lambda: Like.objects.create(post=post, user=fan))
    assert Like.objects.count() == 1


def _track():
    owner = UserFactory()
    return MusicTrack.objects.create(owner=owner, title="Psalm 23")


def test_playlist_positions_are_unique_within_a_playlist():
    track = _track()
    playlist = Playlist.objects.create(owner=track.owner, name="Morning")
    PlaylistItem.objects.create(
        playlist=playlist, position=0, content_type="music", object_id=track.pk
    )
    assert_rejected(
        lambda: PlaylistItem.objects.create(
            playlist=playlist, position=0, content_type="podcast", object_id=track.pk
        )
    )
    other = Playlist.objects.create(owner=track.owner, name="Evening")
    PlaylistItem.objects.create(
        playlist=other, position=0, content_type="music", object_id=track.pk
    )


def test_playlist_item_names_a_playlist_kind_and_holds_an_item_once():
    track = _track()
    playlist = Playlist.objects.create(owner=track.owner, name="Mixed")
    assert_rejected(
        lambda: PlaylistItem.objects.create(
            playlist=playlist, position=0, content_type="community_post", object_id=track.pk
        )
    )
    assert_rejected(
        lambda: PlaylistItem.objects.create(
            playlist=playlist, position=0, content_type="sermon", object_id=track.pk
        )
    )
    PlaylistItem.objects.create(
        playlist=playlist, position=0, content_type="music", object_id=track.pk
    )
    assert_rejected(
        lambda: PlaylistItem.objects.create(
            playlist=playlist, position=1, content_type="music", object_id=track.pk
        )
    )
    assert PlaylistItem.objects.count() == 1


def test_category_slug_is_unique():
    Category.objects.create(name="Worship", slug="worship")
    assert_rejected(lambda: Category.objects.create(name="Worship 2", slug="worship"))


def test_payment_account_is_unique_per_provider_id():
    PaymentAccount.objects.create(
        user=UserFactory(), provider="stripe", provider_account_id="cus_1"
    )
    assert_rejected(
        lambda: PaymentAccount.objects.create(
            user=UserFactory(), provider="stripe", provider_account_id="cus_1"
        )
    )


def test_one_bank_details_row_per_user():
    owner = UserFactory()
    BankDetails.objects.create(
        user=owner, account_holder_name="A", bank_name="B", account_number="1"
    )
    assert_rejected(
        lambda: BankDetails.objects.create(
            user=owner, account_holder_name="A", bank_name="B", account_number="2"
        )
    )


def test_donation_gateway_reference_and_idempotency_key_are_unique():
    donor = UserFactory()
    Donation.objects.create(
        donor=donor,
        amount=Decimal("10.00"),
        provider="stripe",
        provider_reference="pi_1",
        idempotency_key="k1",
    )
    assert_rejected(
        lambda: Donation.objects.create(
            donor=UserFactory(),
            amount=Decimal("5.00"),
            provider="stripe",
            provider_reference="pi_1",
        )
    )
    assert_rejected(
        lambda: Donation.objects.create(
            donor=donor, amount=Decimal("5.00"), provider="stripe", idempotency_key="k1"
        )
    )
    # Empty references and keys are not "the same value".
    Donation.objects.create(donor=donor, amount=Decimal("1.00"), provider="stripe")
    Donation.objects.create(donor=donor, amount=Decimal("1.00"), provider="stripe")
    assert Donation.objects.count() == 3


def test_donation_amount_must_be_positive():
    assert_rejected(
        lambda: Donation.objects.create(
            donor=UserFactory(), amount=Decimal("0.00"), provider="stripe"
        )
    )


def test_live_stream_room_names_are_unique():
    host = UserFactory()
    LiveStream.objects.create(host=host, title="Sunday", room_name="sunday")
    assert_rejected(lambda: LiveStream.objects.create(host=host, title="Again", room_name="sunday"))


def test_media_asset_storage_keys_are_unique():
    MediaAsset.objects.create(kind="audio", storage_key="audio/a.mp3")
    assert_rejected(lambda: MediaAsset.objects.create(kind="audio", storage_key="audio/a.mp3"))


def test_moderated_content_starts_pending():
    owner = UserFactory()
    story = BibleStory.objects.create(owner=owner, title="Jonah")
    post = CommunityPost.objects.create(author=owner, body="Hello")
    assert story.status == "pending" and post.status == "pending"
    assert story.is_public is False
    document = DocumentAsset.objects.create(
        title="KJV", file=MediaAsset.objects.create(kind="document", storage_key="documents/k.pdf")
    )
    assert document.is_published is True
