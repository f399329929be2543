"""Template tags of the moderation console (the admin index shows what waits)."""

from django import template
from django.db.models import Count, Min
from django.urls import reverse

from catalog import moderation
from catalog.admin.console import PENDING_QUERY
from catalog.admin.edits import PENDING_EDITS_QUERY
from catalog.admin.queue import queue_url
from catalog.moderation import sources as queue

register = template.Library()


@register.simple_tag
def moderation_queue_for(user) -> list[dict]:
    """What waits per queue source the user may work (every kind, reports), and the edits of
    approved content; empty for anyone else (one query a source). A kind links to its
    pending changelist, another source to the one queue showing it."""
    sources = queue.queue_sources_for(user)
    rows = []
    for summary in queue.queue_summaries(sources):
        source = summary.source
        url = queue_url(source=source.name)
        model_name = source.name
        if source.kind:
            opts = moderation.model_for(source.kind)._meta
            model_name = opts.model_name
            url = (
                f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{PENDING_QUERY}"
            )
        rows.append(
            {
                "content_type": source.name,
                "model_name": model_name,
                "label": source.label,
                "pending": summary.waiting,
                "oldest_pending_at": summary.oldest,
                "url": url,
            }
        )
    allowed = [source.kind for source in sources if source.kind]
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
