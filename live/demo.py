"""Demo live: Pastor James's Sunday service, scheduled two days ahead."""

from datetime import timedelta

from django.utils import timezone

from live.models import LiveStream, StreamKind


def seed(context) -> None:
    context.get_or_create(
        LiveStream,
        room_name="sunday-service-demo",
        defaults={
            "host": context.users["pastor_james"],
            "title": "Sunday Service",
            "kind": StreamKind.STREAM,
            "scheduled_start": timezone.now() + timedelta(days=2),
            "category": context.categories["sermons"],
        },
    )
