"""Catalogue fixtures: the roles of the permission matrix and their API clients."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from rest_framework.test import APIClient

from accounts.policies import MODERATORS_GROUP
from tests.conftest import client_for
from tests.factories import UserFactory

ROLES = ["anonymous", "user", "owner", "moderator", "admin"]


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def other(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def admin(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def actor(request, owner, other, moderator, admin):
    """(user, client) for the role named by indirect parametrisation."""
    role = request.param
    user = {
        "anonymous": AnonymousUser(),
        "user": other,
        "owner": owner,
        "moderator": moderator,
        "admin": admin,
    }[role]
    client = APIClient() if role == "anonymous" else client_for(user)
    return role, user, client
