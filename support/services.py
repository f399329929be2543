"""Support tickets: open, reply (user or staff), close. One service per transition.

Status: open -> answered (a staff reply) -> closed; a reply from the user reopens an answered
or closed ticket. Each transition locks the ticket row, so a staff answer and a user reply
arriving together apply one after the other. A staff reply notifies the user in the app
(row now, push after commit) and by email (a task after commit).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cnt.audit import admin_log_write
from cnt.errors import Forbidden
from cnt.notifications.models import NotificationType
from cnt.notifications.services import notification_create
from support import policies
from support.models import SupportMessage, SupportReply, SupportStatus

NOTIFICATION_PREVIEW_LENGTH = 500


def _locked(ticket: SupportMessage) -> SupportMessage:
    return SupportMessage.objects.select_for_update().get(pk=ticket.pk)


def ticket_open(*, user, subject: str, message: str, category: str) -> SupportMessage:
    """A new ticket from a signed-in user; replies go to their account email."""
    return SupportMessage.objects.create(
        user=user,
        email=user.email,
        name=(user.display_name or user.username)[:150],
        subject=subject,
        message=message,
        category=category,
    )


def ticket_reply_by_user(*, ticket: SupportMessage, user, body: str) -> SupportReply:
    """The user adds to their ticket; an answered or closed ticket opens again."""
    if not policies.can_view_ticket(user, ticket):
        raise Forbidden("This is not your ticket.")
    with transaction.atomic():
        locked = _locked(ticket)
        reply = SupportReply.objects.create(ticket=locked, author=user, body=body)
        locked.status = SupportStatus.OPEN
        locked.closed_at = None
        locked.save(update_fields=["status", "closed_at", "updated_at"])
    return reply


def ticket_answer(*, ticket: SupportMessage, staff, body: str) -> SupportReply:
    """A staff reply: the ticket becomes answered and its author is told in the app and by
    email. Used by the admin."""
    from support.tasks import send_reply_email

    if not policies.can_answer_tickets(staff):
        raise Forbidden("Support staff only.")
    with transaction.atomic():
        locked = _locked(ticket)
        now = timezone.now()
        reply = SupportReply.objects.create(
            ticket=locked, author=staff, body=body, is_staff_reply=True
        )
        locked.status = SupportStatus.ANSWERED
        locked.admin_response = body
        locked.responded_by = staff
        locked.responded_at = now
        locked.closed_at = None
        locked.save(
            update_fields=[
                "status",
                "admin_response",
                "responded_by",
                "responded_at",
                "closed_at",
                "updated_at",
            ]
        )
        if locked.user_id is not None:
            notification_create(
                recipient=locked.user_id,
                type=NotificationType.SUPPORT_REPLY,
                title=f"Support replied: {locked.subject}",
                message=body[:NOTIFICATION_PREVIEW_LENGTH],
                data={"ticket_id": locked.pk, "reply_id": reply.pk},
                actor=staff,
            )
        admin_log_write(user=staff, obj=locked, message=f"Replied to the user: {body}")
        reply_id = reply.pk
        transaction.on_commit(lambda: send_reply_email.delay(reply_id))
    return reply


def ticket_close(*, ticket: SupportMessage, by) -> SupportMessage:
    """Close a ticket (its author or staff). Closing a closed ticket changes nothing."""
    if not (policies.can_view_ticket(by, ticket) or policies.can_answer_tickets(by)):
        raise Forbidden("This is not your ticket.")
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status != SupportStatus.CLOSED:
            locked.status = SupportStatus.CLOSED
            locked.closed_at = timezone.now()
            locked.save(update_fields=["status", "closed_at", "updated_at"])
            if locked.user_id != by.pk:
                admin_log_write(user=by, obj=locked, message="Closed the ticket.")
    return locked


def ticket_reopen(*, ticket: SupportMessage, staff) -> SupportMessage:
    """Staff put an answered or closed ticket back among the open ones (it needs more work).
    Reopening an open ticket changes nothing."""
    if not policies.can_answer_tickets(staff):
        raise Forbidden("Support staff only.")
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status != SupportStatus.OPEN:
            locked.status = SupportStatus.OPEN
            locked.closed_at = None
            locked.save(update_fields=["status", "closed_at", "updated_at"])
            admin_log_write(user=staff, obj=locked, message="Reopened the ticket.")
    return locked


def reply_email_send(*, reply_id: int) -> bool:
    """Email a staff reply to the ticket's address, once (claimed first, released if the
    send fails so a retry sends it)."""
    now = timezone.now()
    claimed = SupportReply.objects.filter(
        pk=reply_id, is_staff_reply=True, emailed_at__isnull=True
    ).update(emailed_at=now)
    if not claimed:
        return False
    reply = SupportReply.objects.select_related("ticket").get(pk=reply_id)
    ticket = reply.ticket
    if not ticket.email:
        return False
    context = {
        "name": ticket.name,
        "subject": ticket.subject,
        "ticket_id": ticket.pk,
        "reply": reply.body,
        "original": ticket.message,
    }
    email = EmailMultiAlternatives(
        subject=f"Re: {ticket.subject} [ticket #{ticket.pk}]",
        body=render_to_string("emails/support_reply.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ticket.email],
    )
    email.attach_alternative(render_to_string("emails/support_reply.html", context), "text/html")
    try:
        email.send()
    except Exception:
        SupportReply.objects.filter(pk=reply_id, emailed_at=now).update(emailed_at=None)
        raise
    return True
