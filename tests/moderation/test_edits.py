"""Edits of approved content's public text by an untrusted owner wait for review.

What the public sees meanwhile: the previous approved text stays public and searchable; the
pending edit shows (as `pending_edit`) to the owner and moderators only; approving applies
it, rejecting discards it with a reason the owner is told. Trusted owners (trusted artists,
moderators) and content that is not public change at once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bible.models import ScriptureLink
from catalog.models import (
    Artist,
    EditStatus,
    ModerationAction,
    ModerationDecision,
    MusicTrack,
    PendingEdit,
    Podcast,
)
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import AssetFactory, make

pytestmark = pytest.mark.django_db
APPROVED = ModerationStatus.APPROVED
PENDING = ModerationStatus.PENDING
REJECTED = ModerationStatus.REJECTED


@pytest.fixture
def track(owner):
    return make(
        "music",
        owner=owner,
        status=APPROVED,
        title="Amazing Grace",
        description="A hymn.",
        tags=["hymn"],
        lyrics="How sweet the sound",
        audio=AssetFactory(),
    )


def url(obj) -> str:
    return f"/api/v1/{'music' if isinstance(obj, MusicTrack) else 'podcasts'}/{obj.pk}"


SPAM = {
    "title": "BUY CHEAP PILLS",
    "description": "Visit spam.example",
    "tags": ["pills", "casino"],
    "lyrics": "spam spam spam",
}


def edit_as_owner(obj, **changes):
    response = client_for(obj.owner).patch(url(obj), changes, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def search_titles(api_client, q):
    response = api_client.get("/api/v1/search", {"q": q})
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


# --- the owner's edit waits; the public keeps the approved text ---------------------------


def test_an_untrusted_edit_of_approved_text_waits_and_the_public_keeps_the_old_text(
    track, api_client, moderator, other
):
    before = MusicTrack.objects.filter(pk=track.pk).values().get()

    body = edit_as_owner(track, **SPAM)

    assert body["status"] == "approved"
    assert (body["title"], body["description"], body["tags"], body["lyrics"]) == (
        "Amazing Grace",
        "A hymn.",
        ["hymn"],
        "How sweet the sound",
    )
    assert body["pending_edit"]["changes"] == SPAM
    assert MusicTrack.objects.filter(pk=track.pk).values().get() == before
    public = api_client.get(url(track)).json()
    assert public["title"] == "Amazing Grace" and public["lyrics"] == "How sweet the sound"
    assert public["pending_edit"] is None
    assert client_for(other).get(url(track)).json()["pending_edit"] is None
    assert client_for(moderator).get(url(track)).json()["pending_edit"]["changes"] == SPAM
    # Found by the approved text, not by the waiting one.
    assert search_titles(api_client, "Amazing Grace") == ["Amazing Grace"]
    assert search_titles(api_client, "pills") == []
    edit = PendingEdit.objects.get()
    assert (edit.content_type, edit.object_id, edit.owner, edit.status) == (
        "music",
        track.pk,
        track.owner,
        EditStatus.PENDING,
    )
    assert list(
        ModerationDecision.objects.filter(object_id=track.pk).values_list("action", flat=True)
    ) == [ModerationAction.EDIT_SUBMIT]


def test_a_podcasts_scripture_reference_waits_too_and_is_checked_at_once(owner, api_client):
    podcast = make("podcast", owner=owner, status=APPROVED, audio=AssetFactory())
    client = client_for(owner)

    refused = client.patch(url(podcast), {"scripture_reference": "Hezekiah 4:5"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["scripture_reference"]
    assert not PendingEdit.objects.exists()

    body = edit_as_owner(podcast, scripture_reference="jn 3:16")
    assert body["scripture_reference"] == ""
    assert body["pending_edit"]["changes"] == {"scripture_reference": "John 3:16"}
    # Not found by the passage search until approved.
    assert not ScriptureLink.objects.filter(content_type="podcast", object_id=podcast.pk).exists()


def test_fields_that_are_not_public_text_change_at_once(owner):
    movie = make("movie", owner=owner, status=APPROVED, title="Old", release_year=1999)
    body = (
        client_for(owner)
        .patch(
            url(movie).replace("podcasts", "movies"),
            {"release_year": 2001, "title": "New"},
            format="json",
        )
        .json()
    )
    assert body["release_year"] == 2001 and body["title"] == "Old"
    assert body["pending_edit"]["changes"] == {"title": "New"}


def test_later_edits_merge_and_setting_text_back_withdraws_it(track):
    edit_as_owner(track, title="First")
    body = edit_as_owner(track, title="Second", description="Changed")
    assert body["pending_edit"]["changes"] == {"title": "Second", "description": "Changed"}
    assert PendingEdit.objects.filter(status=EditStatus.PENDING).count() == 1

    body = edit_as_owner(track, title="Amazing Grace")
    assert body["pending_edit"]["changes"] == {"description": "Changed"}
    body = edit_as_owner(track, description="A hymn.")
    assert body["pending_edit"] is None
    assert PendingEdit.objects.get().status == EditStatus.WITHDRAWN


def test_repeating_the_same_edit_writes_nothing(track):
    edit_as_owner(track, title="New title")
    edit_as_owner(track, title="New title")
    submits = ModerationDecision.objects.filter(action=ModerationAction.EDIT_SUBMIT)
    assert submits.count() == 1


# --- who changes at once ---------------------------------------------------------------------


def test_a_trusted_artists_edit_applies_at_once(owner, track, api_client):
    Artist.objects.update_or_create(user=owner, defaults={"name": "Choir", "is_trusted": True})
    body = edit_as_owner(track, title="Amazing Grace (Live)")
    assert body["title"] == "Amazing Grace (Live)" and body["pending_edit"] is None
    assert api_client.get(url(track)).json()["title"] == "Amazing Grace (Live)"
    assert not PendingEdit.objects.exists()


def test_a_moderators_own_edit_applies_at_once(moderator):
    track = make("music", owner=moderator, status=APPROVED, title="Mine", audio=AssetFactory())
    body = edit_as_owner(track, title="Still mine")
    assert body["title"] == "Still mine" and not PendingEdit.objects.exists()


@pytest.mark.parametrize("status", [PENDING, REJECTED])
def test_content_that_is_not_public_changes_at_once(owner, status):
    track = make("music", owner=owner, status=status, title="Draft", audio=AssetFactory())
    body = edit_as_owner(track, title="Draft 2", lyrics="new words")
    assert (body["title"], body["lyrics"], body["pending_edit"]) == ("Draft 2", "new words", None)
    assert not PendingEdit.objects.exists()


# --- moderators decide over the API -----------------------------------------------------------


def test_approving_an_edit_applies_it_and_tells_the_owner(track, api_moderator, api_client):
    edit_as_owner(track, title="Amazing Grace (Live)", lyrics="Was blind, but now I see")
    edit = PendingEdit.objects.get()
    client = client_for(api_moderator)

    queue = client.get("/api/v1/admin/edits").json()
    assert [(row["id"], row["changes"], row["current"]) for row in queue["results"]] == [
        (
            edit.pk,
            {"title": "Amazing Grace (Live)", "lyrics": "Was blind, but now I see"},
            {"title": "Amazing Grace", "lyrics": "How sweet the sound"},
        )
    ]
    response = client.post(f"/api/v1/admin/edits/{edit.pk}/approve")

    assert response.status_code == 200, response.content
    assert response.json()["changed"] is True
    assert response.json()["edit"]["status"] == "approved"
    track.refresh_from_db()
    assert (track.title, track.lyrics, track.status) == (
        "Amazing Grace (Live)",
        "Was blind, but now I see",
        APPROVED,
    )
    assert api_client.get(url(track)).json()["title"] == "Amazing Grace (Live)"
    assert search_titles(api_client, "Live") == ["Amazing Grace (Live)"]
    assert client_for(track.owner).get(url(track)).json()["pending_edit"] is None
    note = Notification.objects.get(recipient=track.owner)
    assert note.type == NotificationType.CONTENT_APPROVED
    assert note.data == {"content_type": "music", "id": track.pk}
    decision = ModerationDecision.objects.get(action=ModerationAction.EDIT_APPROVE)
    assert decision.moderator == api_moderator
    # Deciding again changes nothing.
    again = client.post(f"/api/v1/admin/edits/{edit.pk}/approve")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert ModerationDecision.objects.filter(action=ModerationAction.EDIT_APPROVE).count() == 1


def test_approving_a_scripture_edit_stores_the_passages(owner, api_moderator):
    podcast = make("podcast", owner=owner, status=APPROVED, audio=AssetFactory())
    edit_as_owner(podcast, scripture_reference="Ps 23")
    edit = PendingEdit.objects.get()
    client_for(api_moderator).post(f"/api/v1/admin/edits/{edit.pk}/approve")
    podcast.refresh_from_db()
    assert podcast.scripture_reference == "Psalms 23:1-6"
    assert ScriptureLink.objects.filter(content_type="podcast", object_id=podcast.pk).count() == 1


def test_rejecting_an_edit_discards_it_with_a_reason(track, api_moderator, api_client):
    edit_as_owner(track, **SPAM)
    edit = PendingEdit.objects.get()
    client = client_for(api_moderator)

    no_reason = client.post(f"/api/v1/admin/edits/{edit.pk}/reject", {"reason": " "})
    assert no_reason.status_code == 400
    assert PendingEdit.objects.get().status == EditStatus.PENDING

    response = client.post(f"/api/v1/admin/edits/{edit.pk}/reject", {"reason": "Spam."})

    assert response.status_code == 200 and response.json()["edit"]["status"] == "rejected"
    track.refresh_from_db()
    assert track.title == "Amazing Grace" and track.status == APPROVED
    assert api_client.get(url(track)).json()["title"] == "Amazing Grace"
    assert client_for(track.owner).get(url(track)).json()["pending_edit"] is None
    edit.refresh_from_db()
    assert (edit.status, edit.reason, edit.decided_by) == (
        EditStatus.REJECTED,
        "Spam.",
        api_moderator,
    )
    note = Notification.objects.get(recipient=track.owner)
    assert (note.type, note.message) == (NotificationType.CONTENT_REJECTED, "Spam.")


@pytest.mark.parametrize("who", ["anonymous", "owner", "other"])
def test_only_moderators_see_and_decide_edits(track, other, api_client, who):
    edit_as_owner(track, title="Changed")
    edit = PendingEdit.objects.get()
    client = {
        "anonymous": api_client,
        "owner": client_for(track.owner),
        "other": client_for(other),
    }[who]
    expected = 401 if who == "anonymous" else 403
    assert client.get("/api/v1/admin/edits").status_code == expected
    assert client.post(f"/api/v1/admin/edits/{edit.pk}/approve").status_code == expected
    assert (
        client.post(f"/api/v1/admin/edits/{edit.pk}/reject", {"reason": "x"}).status_code
        == expected
    )
    edit.refresh_from_db()
    track.refresh_from_db()
    assert edit.status == EditStatus.PENDING and track.title == "Amazing Grace"


def test_an_unknown_edit_is_not_found(api_moderator):
    assert client_for(api_moderator).post("/api/v1/admin/edits/999999/approve").status_code == 404


def test_deleting_the_item_drops_its_edit(track):
    edit_as_owner(track, title="Changed")
    assert client_for(track.owner).delete(url(track)).status_code == 204
    assert not PendingEdit.objects.exists()


def test_the_owners_list_shows_pending_edits_in_a_bounded_number_of_queries(
    owner, django_assert_max_num_queries
):
    tracks = [
        make("music", owner=owner, status=APPROVED, title=f"T{i}", audio=AssetFactory())
        for i in range(6)
    ]
    for track in tracks[:3]:
        edit_as_owner(track, title=f"{track.title} (new)")
    client = client_for(owner)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/music", {"mine": "true", "page_size": 50}).json()
    shown = {row["title"]: (row["pending_edit"] or {}).get("changes") for row in body["results"]}
    assert shown == {
        "T0": {"title": "T0 (new)"},
        "T1": {"title": "T1 (new)"},
        "T2": {"title": "T2 (new)"},
        "T3": None,
        "T4": None,
        "T5": None,
    }


# --- moderators decide in Django Admin ---------------------------------------------------------


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def test_the_admin_lists_pending_edits_beside_the_public_text(track, console):
    edit_as_owner(track, title="<script>alert(1)</script>")
    edit = PendingEdit.objects.get()

    changelist = console.get(reverse("admin:catalog_pendingedit_changelist"))
    assert changelist.status_code == 200
    assert [e.pk for e in changelist.context["cl"].result_list] == [edit.pk]
    page = console.get(reverse("admin:catalog_pendingedit_change", args=[edit.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Amazing Grace" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    item_page = console.get(reverse("admin:catalog_musictrack_change", args=[track.pk]))
    assert 'id="moderation-pending-edit"' in item_page.content.decode()
    index = console.get(reverse("admin:index"))
    queue = {row["content_type"]: row["pending"] for row in index.context["queue"]}
    assert queue["edits"] == 1


def test_approving_in_the_admin_applies_the_edit(track, console, moderator):
    edit_as_owner(track, title="Amazing Grace (Live)")
    edit = PendingEdit.objects.get()
    response = console.post(
        reverse("admin:catalog_pendingedit_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [edit.pk]},
    )
    assert response.status_code == 302
    track.refresh_from_db()
    edit.refresh_from_db()
    assert track.title == "Amazing Grace (Live)"
    assert (edit.status, edit.decided_by) == (EditStatus.APPROVED, moderator)


def test_rejecting_in_the_admin_asks_for_a_reason_then_discards(track, console):
    edit_as_owner(track, **SPAM)
    edit = PendingEdit.objects.get()
    changelist = reverse("admin:catalog_pendingedit_changelist")

    asked = console.post(changelist, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [edit.pk]})
    assert asked.status_code == 200 and "moderation-reject-submit" in asked.content.decode()
    assert "a rejected edit is discarded" in asked.content.decode()
    edit.refresh_from_db()
    assert edit.status == EditStatus.PENDING

    done = console.post(
        changelist,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [edit.pk],
            "post": "yes",
            "reason": "Spam links.",
        },
    )
    assert done.status_code == 302
    edit.refresh_from_db()
    track.refresh_from_db()
    assert (edit.status, edit.reason) == (EditStatus.REJECTED, "Spam links.")
    assert track.title == "Amazing Grace"


def test_moderators_see_only_the_edits_of_kinds_they_moderate(client, track):
    from django.contrib.auth.models import Permission

    edit_as_owner(track, title="Changed")
    edit = PendingEdit.objects.get()
    posts_only = UserFactory(is_staff=True)
    posts_only.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_communitypost", "change_communitypost"])
    )
    client.force_login(posts_only)

    changelist = client.get(reverse("admin:catalog_pendingedit_changelist"))
    assert changelist.status_code == 200 and list(changelist.context["cl"].result_list) == []
    refused = client.post(
        reverse("admin:catalog_pendingedit_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [edit.pk]},
    )
    assert refused.status_code in (200, 302)
    edit.refresh_from_db()
    assert edit.status == EditStatus.PENDING
    assert client.get(reverse("admin:catalog_pendingedit_change", args=[edit.pk])).status_code in (
        302,
        403,
        404,
    )


def test_podcasts_keep_their_api_field_names(owner):
    podcast = make("podcast", owner=owner, status=APPROVED, audio=AssetFactory())
    body = edit_as_owner(podcast, title="New")
    assert {"title", "description", "tags", "scripture_reference", "pending_edit"} <= set(body)
    assert Podcast.objects.get(pk=podcast.pk).title != "New"
