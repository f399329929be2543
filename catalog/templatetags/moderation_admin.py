"""Template tags of the moderation console (the admin index shows the pending queue)."""

from django import template
from django.urls import reverse

from accounts.policies import is_moderator
from catalog import kinds, moderation
from catalog.admin.console import PENDING_QUERY

register = template.Library()


@register.simple_tag
def moderation_queue_for(user) -> list[dict]:
    """Pending items per type the user may moderate; empty for anyone else (one query a type)."""
    if not is_moderator(user):
        return []
    allowed = [kind.name for kind in kinds.kinds() if user.has_perm(kind.moderation_permission)]
    rows = []
    for entry in moderation.moderation_queue(allowed) if allowed else []:
        opts = entry.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        rows.append(
            {
                "content_type": entry.content_type.value,
                "model_name": opts.model_name,
                "label": entry.label,
                "pending": entry.pending,
                "oldest_pending_at": entry.oldest_pending_at,
                "url": f"{changelist}?{PENDING_QUERY}",
            }
        )
    return rows
