"""The support desk in Django Admin: a staff reply from the ticket page (which a superuser's
page, carrying the thread inline, used to answer with a 500) notifies the user in the app and
by email and is logged; reply-and-close, reopen, filters and search over the whole thread."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.urls import reverse

from cnt.notifications.models import Notification, NotificationType
from support import services as support_services
from support.models import SupportMessage, SupportStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def entries(user):
    rows = LogEntry.objects.filter(user=user).order_by("pk")
    return [(e.content_type.model, e.object_id, e.action_flag, e.change_message) for e in rows]


def _ticket(user) -> SupportMessage:
    ticket = support_services.ticket_open(
        user=user, subject="Cannot log in", message="Help", category="account"
    )
    support_services.ticket_reply_by_user(ticket=ticket, user=user, body="Still stuck.")
    return ticket


def _answer_form(client, url, **fields) -> dict:
    """The ticket page's form as the browser posts it (with the thread inline's management
    form, which a superuser's page carries)."""
    page = client.get(url)
    assert page.status_code == 200
    data = {"_save": "Save", **fields}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
    return data


def test_a_staff_reply_from_the_admin_works_notifies_and_is_logged(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    # A superuser sees the thread inline; saving the reply used to fail with a 500 there
    # ('SupportReplyFormSet' object has no attribute 'new_objects').
    user = UserFactory()
    ticket = _ticket(user)
    client.force_login(superuser)
    url = reverse("admin:support_supportmessage_change", args=[ticket.pk])
    data = _answer_form(client, url, reply="Reset your password from the login page.")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == SupportStatus.ANSWERED
    [note] = Notification.objects.filter(type=NotificationType.SUPPORT_REPLY)
    assert note.recipient == user
    [email] = mailoutbox
    assert "Reset your password" in email.body
    assert entries(superuser) == [
        (
            "supportmessage",
            str(ticket.pk),
            CHANGE,
            "Replied to the user: Reset your password from the login page.",
        )
    ]


def test_reply_and_close_and_reopen_from_the_admin(client, superuser):
    ticket = _ticket(UserFactory())
    client.force_login(superuser)
    url = reverse("admin:support_supportmessage_change", args=[ticket.pk])
    response = client.post(url, _answer_form(client, url, reply="Done.", close_after="on"))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == SupportStatus.CLOSED

    client.post(
        reverse("admin:support_supportmessage_changelist"),
        {"action": "reopen_tickets", ACTION_CHECKBOX_NAME: [ticket.pk]},
    )
    ticket.refresh_from_db()
    assert ticket.status == SupportStatus.OPEN
    assert [e[3] for e in entries(superuser)] == [
        "Replied to the user: Done.",
        "Closed the ticket.",
        "Reopened the ticket.",
    ]


def test_the_support_desk_filters_and_searches_the_thread(client, superuser):
    user = UserFactory()
    wanted = _ticket(user)
    other = support_services.ticket_open(
        user=user, subject="Donation receipt", message="Where?", category="billing"
    )
    client.force_login(superuser)
    changelist = reverse("admin:support_supportmessage_changelist")

    found = client.get(changelist, {"q": "still stuck"})  # in a reply, not the ticket
    assert [t.pk for t in found.context["cl"].result_list] == [wanted.pk]
    billing = client.get(changelist, {"category__exact": "billing", "status__exact": "open"})
    assert [t.pk for t in billing.context["cl"].result_list] == [other.pk]
    html = billing.content.decode()
    assert "Open" in html and "Donation receipt" in html


def test_a_granted_moderator_answers_tickets_without_being_a_superuser(client, mailoutbox):
    moderator = UserFactory(username="desk")
    call_command("grant_moderator", "desk", stdout=io.StringIO())
    ticket = _ticket(UserFactory())
    client.force_login(moderator)
    url = reverse("admin:support_supportmessage_change", args=[ticket.pk])
    response = client.post(url, _answer_form(client, url, reply="We fixed it."))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.responded_by) == (SupportStatus.ANSWERED, moderator)


def test_staff_reopen_needs_the_support_permission():
    ticket = _ticket(UserFactory())
    support_services.ticket_close(ticket=ticket, by=ticket.user)
    with pytest.raises(support_services.Forbidden):
        support_services.ticket_reopen(ticket=ticket, staff=UserFactory(is_staff=True))
    ticket.refresh_from_db()
    assert ticket.status == SupportStatus.CLOSED
