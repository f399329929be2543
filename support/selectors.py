"""Reads of support tickets: the caller's own only (others' answer 404)."""

from django.db.models import Count, Prefetch, QuerySet

from cnt.errors import NotFound
from support.models import SupportMessage, SupportReply


def ticket_list_for_user(*, user) -> QuerySet[SupportMessage]:
    return (
        SupportMessage.objects.filter(user=user)
        .annotate(replies_count=Count("replies"))
        .order_by("-updated_at", "-id")
    )


def ticket_get_for_user(*, user, pk) -> SupportMessage:
    ticket = (
        ticket_list_for_user(user=user)
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=SupportReply.objects.select_related("author").order_by("created_at", "id"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket
