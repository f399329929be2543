"""Every model's admin changelist and add page renders for a superuser and not for anyone else."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


def test_every_project_model_is_registered():
    from django.apps import apps

    project_apps = {
        "accounts",
        "catalog",
        "community",
        "media",
        "live",
        "finance",
        "bible",
        "support",
    }
    registered = set(MODELS)
    missing = [
        (model._meta.app_label, model._meta.model_name)
        for model in apps.get_models()
        if model._meta.app_label in project_apps
        and (model._meta.app_label, model._meta.model_name) not in registered
    ]
    assert missing == []


def test_site_header_names_the_platform(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"CNT Media" in response.content


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_and_add_render_for_superuser(client, admin_user, app_label, model_name):
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    model_admin = next(
        ma
        for m, ma in admin.site._registry.items()
        if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
    )
    # Token records are written by the auth flow only; their admin offers no add page.
    expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    response = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert response.status_code == expected


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_redirects_anonymous_to_login(client, app_label, model_name):
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_changelist_refuses_a_non_staff_user(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:catalog_podcast_changelist"))
    assert response.status_code == 302


def test_view_site_leads_to_a_real_page(client, admin_user):
    client.force_login(admin_user)
    index = client.get(reverse("admin:index"))
    site_url = index.context["site_url"]
    assert f'href="{site_url}"' in index.content.decode()
    assert client.get(site_url).status_code == 200


def test_model_names_read_as_english():
    from django.apps import apps

    names = {
        model._meta.label: (model._meta.verbose_name, model._meta.verbose_name_plural)
        for model in apps.get_models()
    }
    assert names["catalog.PlaybackProgress"] == ("playback progress", "playback progress")
    assert names["bible.BibleStory"] == ("Bible story", "Bible stories")
    # Django's default plural only appends an "s": no "progresss" or "detailss" anywhere.
    assert not [n for n, (_, plural) in names.items() if plural.endswith(("sss", "lss", "ss s"))]
