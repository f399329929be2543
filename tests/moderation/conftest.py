"""Moderation fixtures: the roles of the permission matrix, and a capture of pushes."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.policies import MODERATORS_GROUP
from tests.factories import UserFactory

MODERATED_MODELS = (
    ("catalog", "podcast"),
    ("catalog", "movie"),
    ("catalog", "musictrack"),
    ("bible", "biblestory"),
    ("community", "communitypost"),
)


def moderators_group() -> Group:
    """The moderators group with view/change rights on every moderated model (admin access)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    for app_label, model in MODERATED_MODELS:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model}", f"change_{model}"],
            )
        )
    return group


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def other(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    """A moderator who can use Django Admin: staff, in the moderators group."""
    user = UserFactory(is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def api_moderator(db):
    """A moderator by group membership only (no staff flag), as the Flutter admin app sees."""
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def pushes(monkeypatch):
    """Every realtime push, as (user_id, event, payload)."""
    sent = []
    monkeypatch.setattr(
        "cnt.realtime.send_to_user",
        lambda user_id, event, payload: sent.append((user_id, event, payload)) or True,
    )
    return sent
