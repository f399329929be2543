"""support/messages: the ticket lifecycle, staff answers from the admin, notifications, email."""

import pytest
from django.contrib.auth.models import Permission

from cnt.notifications.models import Notification, NotificationType
from support import services
from support.models import SupportMessage, SupportReply, SupportStatus
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/support/messages"


def support_staff():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="support", codename="change_supportmessage"),
        Permission.objects.get(content_type__app_label="support", codename="view_supportmessage"),
    )
    return user


def open_ticket(user, **overrides) -> dict:
    body = {
        "subject": "Cannot download sermon",
        "message": "The button does nothing.",
        "category": "technical",
        **overrides,
    }
    response = client_for(user).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_ticket_lifecycle_with_notifications_and_emails(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(display_name="Ruth")
    ticket = open_ticket(user)
    assert ticket["status"] == "open"
    assert ticket["category"] == "technical"
    assert ticket["replies"] == []
    row = SupportMessage.objects.get()
    assert (row.user, row.email, row.name) == (user, user.email, "Ruth")

    # Staff answer from the admin change page.
    staff = support_staff()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/support/supportmessage/{row.pk}/change/",
            {"reply": "Please update the app to 2.1.", "_save": "Save"},
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == SupportStatus.ANSWERED
    assert (row.admin_response, row.responded_by) == ("Please update the app to 2.1.", staff)
    [note] = Notification.objects.all()
    assert note.recipient == user
    assert note.type == NotificationType.SUPPORT_REPLY
    assert note.title == "Support replied: Cannot download sermon"
    assert note.message == "Please update the app to 2.1."
    assert note.data["ticket_id"] == row.pk
    [email] = mailoutbox
    assert email.to == [user.email]
    assert email.subject == f"Re: Cannot download sermon [ticket #{row.pk}]"
    assert "Please update the app to 2.1." in email.body
    assert "Please update the app to 2.1." in email.alternatives[0][0]
    assert SupportReply.objects.get().emailed_at is not None

    # The user reads the reply, answers back (reopens), then closes it.
    api = client_for(user)
    detail = api.get(f"{URL}/{row.pk}").json()
    assert detail["status"] == "answered"
    assert [(r["message"], r["is_staff_reply"], r["author"]) for r in detail["replies"]] == [
        ("Please update the app to 2.1.", True, "CNT Media support")
    ]
    reply = api.post(f"{URL}/{row.pk}/replies", {"message": "Still broken."}, format="json")
    assert reply.status_code == 201
    assert reply.json()["status"] == "open"
    assert [r["author"] for r in reply.json()["replies"]] == ["CNT Media support", "Ruth"]
    closed = api.post(f"{URL}/{row.pk}/close")
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    reopened = api.post(f"{URL}/{row.pk}/replies/", {"message": "Again."}, format="json")
    assert reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None
    assert len(mailoutbox) == 1  # user replies send no email to the user


def test_a_redelivered_email_task_sends_nothing_twice(mailoutbox):
    user = UserFactory()
    ticket = SupportMessage.objects.get(pk=open_ticket(user)["id"])
    reply = services.ticket_answer(ticket=ticket, staff=support_staff(), body="Done.")
    assert services.reply_email_send(reply_id=reply.pk) is True
    assert services.reply_email_send(reply_id=reply.pk) is False
    assert len(mailoutbox) == 1


def test_staff_without_the_permission_cannot_answer(client):
    user = UserFactory()
    ticket = SupportMessage.objects.get(pk=open_ticket(user)["id"])
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        f"/admin/support/supportmessage/{ticket.pk}/change/", {"reply": "Hi", "_save": "Save"}
    )
    assert response.status_code == 403
    assert SupportReply.objects.count() == 0
    assert Notification.objects.count() == 0


def test_users_list_their_own_tickets(django_assert_max_num_queries):
    user = UserFactory()
    for n in range(3):
        open_ticket(user, subject=f"Ticket {n}")
    open_ticket(UserFactory(), subject="Someone else's")
    client = client_for(user)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    assert {row["subject"] for row in response.json()["results"]} == {
        "Ticket 0",
        "Ticket 1",
        "Ticket 2",
    }
    assert response.json()["results"][0]["replies_count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "", "message": "m"}, "subject"),
        ({"subject": "s", "message": ""}, "message"),
        ({"subject": "s" * 201, "message": "m"}, "subject"),
        ({"subject": "s", "message": "m" * 5001}, "message"),
        ({"subject": "s", "message": "m", "category": "prayer"}, "category"),
    ],
)
def test_invalid_tickets_are_400_and_store_nothing(body, field):
    response = client_for(UserFactory()).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert SupportMessage.objects.count() == 0


def test_the_category_defaults_to_general():
    assert open_ticket(UserFactory(), category="general")["category"] == "general"
    response = client_for(UserFactory()).post(URL, {"subject": "s", "message": "m"}, format="json")
    assert response.json()["category"] == "general"


@pytest.mark.parametrize(("caller", "expected"), [("anonymous", 401), ("other", 404)])
def test_nobody_else_reads_replies_to_or_closes_a_ticket(api_client, caller, expected):
    owner = UserFactory()
    ticket_id = open_ticket(owner)["id"]
    client = api_client if caller == "anonymous" else client_for(UserFactory())
    assert client.get(f"{URL}/{ticket_id}").status_code == expected
    assert (
        client.post(f"{URL}/{ticket_id}/replies", {"message": "x"}, format="json").status_code
        == expected
    )
    assert client.post(f"{URL}/{ticket_id}/close").status_code == expected
    ticket = SupportMessage.objects.get()
    assert ticket.status == SupportStatus.OPEN
    assert SupportReply.objects.count() == 0


def test_anonymous_callers_cannot_open_or_list_tickets(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"subject": "s", "message": "m"}, format="json").status_code == 401
    assert SupportMessage.objects.count() == 0


def test_writing_tickets_is_rate_limited(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "support": "2/hour",
        },
    }
    client = client_for(UserFactory())
    body = {"subject": "s", "message": "m"}
    assert [client.post(URL, body, format="json").status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]
    assert SupportMessage.objects.count() == 2
    assert client.get(URL).status_code == 200  # reads are not limited


def test_staff_close_tickets_in_bulk_from_the_admin(client):
    tickets = [open_ticket(UserFactory())["id"] for _ in range(2)]
    client.force_login(support_staff())
    response = client.post(
        "/admin/support/supportmessage/",
        {"action": "close_tickets", "_selected_action": tickets},
    )
    assert response.status_code == 302
    assert set(SupportMessage.objects.values_list("status", flat=True)) == {"closed"}


def test_a_subject_with_line_breaks_is_refused():
    user = UserFactory()
    body = {"subject": "Help\r\nBcc: all@example.com", "message": "Hi", "category": "technical"}

    response = client_for(user).post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subject"]
    assert SupportMessage.objects.count() == 0


def test_notification_email_subjects_are_one_line(mailoutbox):
    from cnt.notifications.tasks import send_notification_email

    user = UserFactory()
    send_notification_email.run(user.pk, "Ruth\r\nBcc: all@example.com liked it", "")

    assert mailoutbox[0].subject == "Ruth Bcc: all@example.com liked it"
