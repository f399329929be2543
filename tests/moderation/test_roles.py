"""Roles that work out of the box: the moderators group holds exactly what moderation needs
(derived from the content-kind registry, synced on migrate); `grant_moderator` makes a staff
moderator who works the console without being a superuser and never sees finance or keys."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.policies import MODERATORS_GROUP, is_moderator
from catalog import kinds
from catalog.moderators import moderators_group_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What moderation needs beyond view/change of every kind's model.
EXTRA = {
    "catalog.view_moderationdecision",
    "community.view_report",
    "community.change_report",
    "community.view_comment",
    "support.view_supportmessage",
    "support.change_supportmessage",
    "support.view_supportreply",
}
# What a moderator sees in the admin (the index and its changelists), by admin URL name.
VISIBLE = {
    "catalog_podcast",
    "catalog_movie",
    "catalog_musictrack",
    "catalog_moderationdecision",
    "catalog_pendingedit",
    "bible_biblestory",
    "community_communitypost",
    "community_report",
    "community_comment",
    "support_supportmessage",
    "support_supportreply",
}


def _perms(group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _kind_perms() -> set[str]:
    wanted = set()
    for kind in kinds.kinds():
        opts = kind.model._meta
        wanted |= {f"{opts.app_label}.view_{opts.model_name}", kind.moderation_permission}
    return wanted


def test_the_group_holds_exactly_what_moderation_needs():
    # Created and synced by migrate (post_migrate), before anyone calls the service.
    group = Group.objects.get(name=MODERATORS_GROUP)
    assert _perms(group) == _kind_perms() | EXTRA


def test_sync_drops_a_permission_added_by_hand_and_restores_a_removed_one():
    group = moderators_group_sync()
    group.permissions.add(Permission.objects.get(codename="view_bankdetails"))
    group.permissions.remove(Permission.objects.get(codename="change_podcast"))

    moderators_group_sync()

    assert "finance.view_bankdetails" not in _perms(group)
    assert _perms(group) == _kind_perms() | EXTRA


def _grant(identifier, *extra) -> str:
    out = io.StringIO()
    call_command("grant_moderator", identifier, *extra, stdout=out)
    return out.getvalue()


def test_grant_moderator_by_username_or_email_and_revoke():
    user = UserFactory(username="grace", email="Grace@Example.org")
    assert not is_moderator(user)

    assert "grace is now a staff moderator." in _grant("grace")
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [MODERATORS_GROUP]
    assert "grace was already a staff moderator." in _grant("grace@example.org")

    assert "grace is no longer a moderator." in _grant("GRACE", "--revoke")
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff
    assert not user.groups.exists()
    assert not is_moderator(user)
    assert "grace was not a moderator." in _grant("grace", "--revoke")


def test_revoking_closes_the_users_open_sockets(monkeypatch, django_capture_on_commit_callbacks):
    closed = []
    monkeypatch.setattr(
        "cnt.realtime.sockets_revoke", lambda user_id, **options: closed.append(user_id)
    )
    user = UserFactory(username="grace")
    _grant("grace")
    assert closed == []
    with django_capture_on_commit_callbacks(execute=True):
        _grant("grace", "--revoke")
        _grant("grace", "--revoke")  # nothing left to take: no second close
    assert closed == [user.pk]


def test_revoke_keeps_a_superuser_in_the_admin():
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    _grant("boss")
    _grant("boss", "--revoke")
    boss.refresh_from_db()
    assert boss.is_staff and not boss.groups.exists()


@pytest.mark.parametrize("identifier", ["nobody", "", "nobody@example.org"])
def test_grant_moderator_refuses_an_unknown_user(identifier):
    UserFactory(username="one", email="one@example.org")
    with pytest.raises(CommandError, match="Create the account first"):
        _grant(identifier)
    assert not Group.objects.get(name=MODERATORS_GROUP).user_set.exists()


@pytest.fixture
def granted(client):
    user = UserFactory(username="mod")
    _grant("mod")
    client.force_login(user)
    return client


def _changelist(admin_name) -> str:
    app_label, model_name = admin_name.split("_", 1)
    return reverse(f"admin:{app_label}_{model_name}_changelist")


def test_a_granted_moderator_sees_the_console_and_nothing_else(granted):
    response = granted.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You don’t have permission" not in html
    assert 'id="moderation-queue"' in html
    shown = {
        f"{app['app_label']}_{model['object_name'].lower()}"
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert shown == VISIBLE
    for name in VISIBLE:
        assert granted.get(_changelist(name)).status_code == 200, name


def _registered() -> list[str]:
    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry
    )


@pytest.mark.parametrize("admin_name", [n for n in _registered() if n not in VISIBLE])
def test_a_granted_moderator_is_refused_everything_else(granted, admin_name):
    # Bank details, payment accounts, donations, users, tokens and keys among them.
    assert granted.get(_changelist(admin_name)).status_code == 403


def test_a_moderator_resolves_reports_but_cannot_rewrite_them(granted):
    from community.models import Report, ReportStatus
    from community.services import report_create
    from tests.moderation.factories import make

    post = make("community_post", status="approved")
    report, _ = report_create(reporter=UserFactory(), reason="Spam link", post=post)
    url = reverse("admin:community_report_change", args=[report.pk])
    page = granted.get(url)
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # every field is read-only
    granted.post(url, {"reason": "Nothing wrong", "_save": "Save"})
    granted.post(
        reverse("admin:community_report_changelist"),
        {"action": "dismiss_reports", "_selected_action": [report.pk]},
    )
    report = Report.objects.get(pk=report.pk)
    assert (report.reason, report.status) == ("Spam link", ReportStatus.DISMISSED)
    assert granted.get(reverse("admin:community_report_add")).status_code == 403
