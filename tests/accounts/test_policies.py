import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from rest_framework.test import APIRequestFactory

from accounts.api.permissions import IsAdmin, IsModerator
from accounts.policies import is_admin, is_moderator, role_of
from catalog.models import Artist
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _moderator_by_group():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def _moderator_by_permission():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="catalog", codename="change_podcast")
    )
    return user


def _creator():
    user = UserFactory()
    Artist.objects.create(user=user, name="The Choir")
    return user


@pytest.mark.parametrize(
    ("make_user", "role", "moderator", "admin"),
    [
        (lambda: AnonymousUser(), "user", False, False),
        (lambda: UserFactory(), "user", False, False),
        (_creator, "creator", False, False),
        (_moderator_by_group, "moderator", True, False),
        (_moderator_by_permission, "moderator", True, False),
        (lambda: UserFactory(is_staff=True), "moderator", True, False),
        (lambda: UserFactory(is_superuser=True), "admin", True, True),
        (lambda: UserFactory(is_superuser=True, is_active=False), "user", False, False),
    ],
)
def test_role_matrix(make_user, role, moderator, admin):
    user = make_user()

    assert role_of(user) == role
    assert is_moderator(user) is moderator
    assert is_admin(user) is admin

    request = APIRequestFactory().get("/")
    request.user = user
    assert IsModerator().has_permission(request, None) is moderator
    assert IsAdmin().has_permission(request, None) is admin


def test_other_groups_do_not_make_moderators():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="listeners"))
    assert role_of(user) == "user"
