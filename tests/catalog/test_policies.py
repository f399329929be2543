"""The visibility and permission rules of catalog/policies.py, one role at a time."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from catalog import policies
from catalog.models import Podcast
from cnt.models import ModerationStatus
from tests.catalog.factories import ArtistFactory, PlaylistFactory, PodcastFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def visible_titles(user) -> set[str]:
    return set(policies.visible_to(user, Podcast.objects.all()).values_list("title", flat=True))


def test_visibility_by_role(owner, other, moderator, admin):
    PodcastFactory(owner=owner, title="approved")
    PodcastFactory(owner=owner, title="pending", status=ModerationStatus.PENDING)
    PodcastFactory(owner=owner, title="rejected", status=ModerationStatus.REJECTED)
    PodcastFactory(owner=other, title="their pending", status=ModerationStatus.PENDING)
    everything = {"approved", "pending", "rejected", "their pending"}
    assert visible_titles(AnonymousUser()) == {"approved"}
    assert visible_titles(other) == {"approved", "their pending"}
    assert visible_titles(owner) == {"approved", "pending", "rejected"}
    assert visible_titles(moderator) == everything
    assert visible_titles(admin) == everything


def test_object_rules_match_the_queryset_rule(owner, other, moderator):
    pending = PodcastFactory(owner=owner, status=ModerationStatus.PENDING)
    assert policies.can_view_content(owner, pending)
    assert policies.can_view_content(moderator, pending)
    assert not policies.can_view_content(other, pending)
    assert not policies.can_view_content(AnonymousUser(), pending)
    assert policies.can_edit_content(owner, pending)
    assert not policies.can_edit_content(moderator, pending)
    assert policies.can_see_moderation_details(moderator, pending)
    assert not policies.can_see_moderation_details(other, pending)


def test_inactive_owner_sees_nothing_of_their_own(owner):
    PodcastFactory(owner=owner, title="pending", status=ModerationStatus.PENDING)
    owner.is_active = False
    assert visible_titles(owner) == set()


def test_content_change_permission_makes_a_moderator():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_podcast"))
    assert policies.is_moderator(UserFactory.build(is_staff=True, is_active=True))
    assert policies.is_moderator(user)
    assert not policies.is_moderator(UserFactory())
    assert not policies.is_moderator(AnonymousUser())


def test_moderator_check_is_remembered_per_user_object(moderator, django_assert_num_queries):
    assert policies.is_moderator(moderator)
    with django_assert_num_queries(0):
        assert policies.is_moderator(moderator)


def test_playlist_rules(owner, other, moderator):
    private = PlaylistFactory(owner=owner)
    public = PlaylistFactory(owner=owner, is_public=True)
    assert policies.can_view_playlist(owner, private)
    assert not policies.can_view_playlist(other, private)
    assert not policies.can_view_playlist(moderator, private)
    assert policies.can_view_playlist(AnonymousUser(), public)
    assert policies.can_edit_playlist(owner, public)
    assert not policies.can_edit_playlist(other, public)


def test_following_rules(owner, other):
    artist = ArtistFactory(user=owner)
    assert policies.can_follow_artist(other, artist)
    assert not policies.can_follow_artist(owner, artist)
    assert not policies.can_follow_artist(AnonymousUser(), artist)


def test_only_approved_plays_count(owner):
    assert policies.counts_as_public_play(PodcastFactory(owner=owner))
    pending = PodcastFactory(owner=owner, status=ModerationStatus.PENDING)
    assert not policies.counts_as_public_play(pending)
