"""Template tags of the moderation console (the admin index shows the pending queue)."""

from django import template
from django.db.models import Count, Min
from django.urls import reverse

from accounts.policies import is_moderator
from catalog import kinds, moderation
from catalog.admin.console import PENDING_QUERY
from catalog.admin.edits import PENDING_EDITS_QUERY

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
    if allowed:
        edits = moderation.pending_edits_queue().filter(content_type__in=allowed)
        row = edits.aggregate(n=Count("pk"), oldest=Min("created_at"))
        changelist = reverse("admin:catalog_pendingedit_changelist")
        rows.append(
            {
                "content_type": "edits",
                "model_name": "pendingedit",
                "label": "Edits of approved content",
                "pending": row["n"],
                "oldest_pending_at": row["oldest"],
                "url": f"{changelist}?{PENDING_EDITS_QUERY}",
            }
        )
    return rows
