"""Demo support: one listener's message to the support desk."""

from accounts.demo import LISTENERS
from support.models import SupportMessage


def seed(context) -> None:
    listener = context.users[LISTENERS[1]]
    context.get_or_create(
        SupportMessage,
        user=listener,
        subject="Cannot download sermon",
        defaults={
            "email": listener.email,
            "name": listener.display_name,
            "message": "The download button does nothing on my phone.",
        },
    )
