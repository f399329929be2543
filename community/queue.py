"""Reported posts and comments in the moderators' one queue (catalog/moderation/sources.py).

A target with open reports waits once, with its report count and reasons, since its first
open report. Approve keeps it (the reports are dismissed, a hidden post is public again);
Reject removes it (the reports are upheld; a post is rejected with the moderator's reason).
A reported post is listed here only, not also among pending community posts.
"""

from django.db.models import Count, Exists, Min, OuterRef, Q

from catalog.moderation.sources import (
    QueueItem,
    QueueSource,
    queue_kind_exclude_register,
    queue_source_register,
)
from community.models import Comment, CommunityPost, Report, ReportStatus

REASONS_SHOWN = 5
OPEN = Q(reports__status=ReportStatus.OPEN)


def _reasons(field: str, pks) -> dict[int, list[str]]:
    """The open reports' reasons per target, newest first (one query)."""
    reasons: dict[int, list[str]] = {}
    rows = (
        Report.objects.filter(status=ReportStatus.OPEN, **{f"{field}__in": list(pks)})
        .order_by("-created_at", "-pk")
        .values_list(field, "reason")
    )
    for target, reason in rows:
        found = reasons.setdefault(target, [])
        if len(found) < REASONS_SHOWN:
            found.append(reason)
    return reasons


def _reported_source(*, name, label, item_label, position, model, field, select, related):
    def summary():
        row = Report.objects.filter(status=ReportStatus.OPEN, **{f"{field}__isnull": False})
        row = row.aggregate(n=Count(field, distinct=True), oldest=Min("created_at"))
        return row["n"], row["oldest"]

    def items(limit):
        rows = (
            model.objects.filter(OPEN)
            .annotate(open_reports=Count("reports", filter=OPEN), since=Min("reports__created_at"))
            .select_related(*select)
            .order_by("since", "pk")[:limit]
        )
        rows = list(rows)
        reasons = _reasons(field, [obj.pk for obj in rows])
        return [
            QueueItem(
                name,
                obj,
                obj.since,
                obj.author,
                report_count=obj.open_reports,
                reports=tuple(reasons.get(obj.pk, ())),
            )
            for obj in rows
        ]

    def load(pks):
        return model.objects.select_related(*related).in_bulk(pks)

    def _resolve(obj, moderator, *, uphold, reason=""):
        from community.services import report_resolve

        report = Report.objects.filter(status=ReportStatus.OPEN, **{field: obj}).first()
        if report is None:
            return False
        report_resolve(report=report, moderator=moderator, uphold=uphold, reason=reason)
        return True

    return queue_source_register(
        QueueSource(
            name=name,
            label=label,
            item_label=item_label,
            position=position,
            permission="community.change_report",
            summary=summary,
            items=items,
            load=load,
            approve=lambda *, obj, moderator: _resolve(obj, moderator, uphold=False),
            reject=lambda *, obj, moderator, reason: _resolve(
                obj, moderator, uphold=True, reason=reason
            ),
            approve_help="Approve keeps it: the reports are dismissed.",
            reject_help="Reject removes it: the reports are upheld.",
        )
    )


def register() -> None:
    _reported_source(
        name="reported_post",
        label="Reported posts",
        item_label="Reported post",
        position=60,
        model=CommunityPost,
        field="post",
        select=("author",),
        related=("author", "image"),
    )
    _reported_source(
        name="reported_comment",
        label="Reported comments",
        item_label="Reported comment",
        position=70,
        model=Comment,
        field="comment",
        select=("author", "post"),
        related=("author", "post"),
    )
    queue_kind_exclude_register(
        "community_post",
        lambda: Q(Exists(Report.objects.filter(post=OuterRef("pk"), status=ReportStatus.OPEN))),
    )
