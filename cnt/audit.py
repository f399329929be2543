"""Staff decisions in Django Admin's action log (LogEntry), so the admin's Recent actions
and each object's History show who did what, whether it was done in the admin or over the
API. The one writer: the moderation services, report handling and the support desk call
`admin_log_write` for every decision a person makes; system changes (no user) log nothing.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

OBJECT_REPR_LENGTH = 200  # LogEntry.object_repr's max_length
MESSAGE_LENGTH = 500  # a long reason is cut: the full text stays on the decision itself


def admin_log_write(*, user, obj, message: str, action_flag: int = CHANGE) -> LogEntry | None:
    """Record that `user` did `message` to `obj` (written in the caller's transaction, so a
    rolled-back decision leaves no entry). Returns the entry, or None without a user."""
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return None
    message = " ".join(message.split())
    if len(message) > MESSAGE_LENGTH:
        message = message[: MESSAGE_LENGTH - 1] + "…"
    return LogEntry.objects.create(
        user_id=user_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:OBJECT_REPR_LENGTH],
        action_flag=action_flag,
        change_message=message,
    )
