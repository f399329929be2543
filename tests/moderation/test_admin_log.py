"""Every moderation action (approve, reject, edits, reports, ticket replies) also writes
Django Admin's LogEntry, whether it came from the admin or the API, so Recent actions and
History show it; the change page offers only decisions that would change the item."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from catalog import moderation
from catalog.models import ContentType
from cnt.errors import Forbidden, InvalidInput
from cnt.models import ModerationStatus
from community import services as community_services
from support import services as support_services
from support.models import SupportMessage
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import make

pytestmark = pytest.mark.django_db


def entries(user=None):
    rows = LogEntry.objects.order_by("pk")
    if user is not None:
        rows = rows.filter(user=user)
    return [(e.content_type.model, e.object_id, e.action_flag, e.change_message) for e in rows]


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def test_approve_and_reject_in_the_admin_show_in_recent_actions_and_history(console, moderator):
    keep = make("podcast", title="Sermon on hope")
    spam = make("podcast", title="Cheap pills")

    console.post(reverse("admin:catalog_podcast_approve", args=[keep.pk]))
    console.post(
        reverse("admin:catalog_podcast_changelist"),
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [spam.pk],
            "post": "yes",
            "reason": "Advertising.",
        },
    )

    assert entries(moderator) == [
        ("podcast", str(keep.pk), CHANGE, "Approved."),
        ("podcast", str(spam.pk), CHANGE, "Rejected: Advertising."),
    ]
    index = console.get(reverse("admin:index")).content.decode()
    recent = index[index.index('id="recent-actions-module"') :]
    assert "Sermon on hope" in recent and "Cheap pills" in recent
    history = console.get(reverse("admin:catalog_podcast_history", args=[spam.pk]))
    assert "Rejected: Advertising." in history.content.decode()
    assert [e.object_repr for e in history.context["action_list"]] == ["Cheap pills"]


def test_decisions_over_the_api_are_logged_too(api_moderator):
    obj = make("movie")
    response = client_for(api_moderator).post(f"/api/v1/admin/approve/movie/{obj.pk}")
    assert response.status_code == 200
    assert entries(api_moderator) == [("movie", str(obj.pk), CHANGE, "Approved.")]


def test_repeats_and_system_transitions_log_nothing(moderator):
    obj = make("music")
    moderation.content_approve(content_type="music", obj=obj, moderator=moderator)
    moderation.content_approve(content_type="music", obj=obj, moderator=moderator)
    moderation.content_hide(content_type="music", obj=obj, reporters=3)
    moderation.content_return_to_review(content_type="music", obj=obj)
    assert entries() == [("musictrack", str(obj.pk), CHANGE, "Approved.")]


def test_a_refused_decision_logs_nothing(moderator):
    obj = make("podcast")
    with pytest.raises(InvalidInput):
        moderation.content_reject(content_type="podcast", obj=obj, moderator=moderator, reason="")
    with pytest.raises(Forbidden):
        moderation.content_approve(content_type="podcast", obj=obj, moderator=UserFactory())
    assert not LogEntry.objects.exists()


def test_edit_decisions_are_logged_on_the_item(moderator):
    obj = make("podcast", status=ModerationStatus.APPROVED, title="Old title")
    edit = moderation.content_edit_submit(
        content_type=ContentType.PODCAST, obj=obj, owner=obj.owner, changes={"title": "New"}
    )
    moderation.content_edit_reject(edit=edit, moderator=moderator, reason="Keep it short.")
    assert entries(moderator) == [
        ("podcast", str(obj.pk), CHANGE, "Rejected the edit of title: Keep it short.")
    ]


def test_report_handling_is_logged(moderator):
    post = make("community_post", status=ModerationStatus.APPROVED)
    report, _ = community_services.report_create(
        reporter=UserFactory(), reason="Spam link", post=post
    )
    community_services.report_resolve(report=report, moderator=moderator, uphold=True)
    assert entries(moderator) == [
        ("report", str(report.pk), CHANGE, "Upheld 1 report: Spam link"),
        ("communitypost", str(post.pk), CHANGE, "Rejected: Removed after reports: Spam link"),
    ]


def _ticket(user) -> SupportMessage:
    ticket = support_services.ticket_open(
        user=user, subject="Cannot log in", message="Help", category="account"
    )
    support_services.ticket_reply_by_user(ticket=ticket, user=user, body="Still stuck.")
    return ticket


def test_a_staff_reply_is_logged(superuser):
    ticket = _ticket(UserFactory())
    support_services.ticket_answer(ticket=ticket, staff=superuser, body="Try again now.")
    support_services.ticket_close(ticket=ticket, by=superuser)
    assert entries(superuser) == [
        ("supportmessage", str(ticket.pk), CHANGE, "Replied to the user: Try again now."),
        ("supportmessage", str(ticket.pk), CHANGE, "Closed the ticket."),
    ]
    # The user's own reply and close are theirs, not staff actions: nothing logged.
    support_services.ticket_close(ticket=ticket, by=ticket.user)
    assert LogEntry.objects.count() == 2


@pytest.mark.parametrize(
    "status, approve, reject",
    [
        (ModerationStatus.PENDING, True, True),
        (ModerationStatus.APPROVED, False, True),
        (ModerationStatus.REJECTED, True, False),
    ],
)
def test_the_change_page_offers_only_valid_decisions(console, status, approve, reject):
    obj = make("podcast", status=status)
    html = console.get(reverse("admin:catalog_podcast_change", args=[obj.pk])).content.decode()
    assert ('id="moderation-approve"' in html) is approve
    assert ('id="moderation-reject"' in html) is reject
