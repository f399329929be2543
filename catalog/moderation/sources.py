"""The moderators' one queue: where waiting work comes from, and deciding on it.

Every content kind is a source (its pending items, catalog/kinds.py); apps above the
catalogue register more with `queue_source_register` (community: reported posts and
comments). The admin queue and its counts read only this registry, so a new kind or a new
source shows up there without touching the console. Each source answers in a fixed number
of queries however much waits: one for its count, one or two for its oldest items.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import Count, Min, Q

from accounts.policies import is_moderator
from catalog import kinds
from cnt.models import ModerationStatus

# Items listed per source (and in the merged queue); the counts cover everything waiting.
QUEUE_LIMIT = 50


@dataclass(frozen=True)
class QueueItem:
    source: str
    obj: models.Model
    waiting_since: datetime
    owner: object = None
    report_count: int = 0
    reports: tuple[str, ...] = ()  # the open reports' reasons, newest first (a few)

    @property
    def pk(self):
        return self.obj.pk

    @property
    def key(self) -> str:
        return f"{self.source}:{self.obj.pk}"


@dataclass(frozen=True)
class QueueSource:
    """One kind of waiting work. `approve` / `reject` take (obj=, moderator=[, reason=]) and
    return whether anything changed; they go through the owning app's services."""

    name: str
    label: str
    position: int
    permission: str  # holders see and decide this source's items
    summary: Callable[[], tuple[int, datetime | None]]  # (waiting, oldest waiting since)
    items: Callable[[int], list[QueueItem]]  # oldest first, at most `limit`
    load: Callable[[list], dict]  # pk -> object, ready for its preview
    approve: Callable[..., bool]
    reject: Callable[..., bool]
    # What Approve and Reject mean for this source, shown beside the buttons.
    approve_help: str = "Approve makes it public."
    reject_help: str = "Reject tells the owner the reason."
    kind: str = ""  # the content kind, for kind sources
    item_label: str = ""  # one item, e.g. "Podcast" (the label, when not given)

    @property
    def item_name(self) -> str:
        return self.item_label or self.label


@dataclass
class QueueSummary:
    source: QueueSource
    waiting: int
    oldest: datetime | None = None
    extra: dict = field(default_factory=dict)


_SOURCES: dict[str, QueueSource] = {}
# Per kind, waiting items another source lists instead (a reported post is shown with its
# reports, once): kind name -> a callable returning a Q to exclude.
_KIND_EXCLUDES: dict[str, Callable[[], Q]] = {}


def queue_source_register(source: QueueSource) -> QueueSource:
    """Add a source of waiting work (once, from the owning app's AppConfig.ready)."""
    existing = _SOURCES.get(source.name)
    if existing is not None and existing != source:
        raise ValueError(f"queue source {source.name!r} is registered twice")
    # Its permission narrows what a moderator sees; it does not make anyone a moderator.
    _SOURCES[source.name] = source
    return source


def queue_kind_exclude_register(kind_name: str, exclude: Callable[[], Q]) -> None:
    _KIND_EXCLUDES[kind_name] = exclude


# --- the content kinds as sources ------------------------------------------------------------


def _pending(kind) -> models.QuerySet:
    queryset = kind.model.objects.filter(status=ModerationStatus.PENDING)
    exclude = _KIND_EXCLUDES.get(kind.name)
    return queryset.exclude(exclude()) if exclude else queryset


def _kind_source(kind) -> QueueSource:
    from catalog import moderation

    def summary():
        row = _pending(kind).aggregate(n=Count("pk"), oldest=Min("created_at"))
        return row["n"], row["oldest"]

    def items(limit):
        rows = _pending(kind).select_related(kind.owner_field).order_by("created_at", "pk")
        return [
            QueueItem(kind.name, obj, obj.created_at, getattr(obj, kind.owner_field))
            for obj in rows[:limit]
        ]

    def load(pks):
        related = (kind.owner_field, *kind.asset_fields)
        return kind.model.objects.select_related(*related).in_bulk(pks)

    def approve(*, obj, moderator):
        return moderation.content_approve(
            content_type=kind.name, obj=obj, moderator=moderator
        ).changed

    def reject(*, obj, moderator, reason):
        return moderation.content_reject(
            content_type=kind.name, obj=obj, moderator=moderator, reason=reason
        ).changed

    return QueueSource(
        name=kind.name,
        label=str(kind.model._meta.verbose_name_plural).capitalize(),
        position=kind.position,
        permission=kind.moderation_permission,
        summary=summary,
        items=items,
        load=load,
        approve=approve,
        reject=reject,
        kind=kind.name,
        item_label=kind.label,
    )


# --- reads -----------------------------------------------------------------------------------


def queue_sources() -> list[QueueSource]:
    """Every source: each content kind, then what apps registered, in queue order."""
    sources = [_kind_source(kind) for kind in kinds.kinds()]
    sources.extend(_SOURCES.values())
    return sorted(sources, key=lambda source: (source.position, source.name))


def queue_sources_for(user) -> list[QueueSource]:
    """The sources a user may work: moderators, for what their permissions cover."""
    if not is_moderator(user):
        return []
    return [source for source in queue_sources() if user.has_perm(source.permission)]


def queue_source_get(name: str, sources: list[QueueSource]) -> QueueSource | None:
    return next((source for source in sources if source.name == name), None)


def queue_summaries(sources: list[QueueSource]) -> list[QueueSummary]:
    """How much waits per source, and since when (one query a source)."""
    summaries = []
    for source in sources:
        waiting, oldest = source.summary()
        summaries.append(QueueSummary(source, waiting, oldest))
    return summaries


def queue_items(sources: list[QueueSource], *, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """The oldest waiting items of all `sources`, merged oldest first."""
    merged = [item for source in sources for item in source.items(limit)]
    merged.sort(key=lambda item: (item.waiting_since, item.source, item.pk))
    return merged[:limit]


def parse_key(key: str) -> tuple[str, int] | None:
    """("podcast", 12) from "podcast:12"; None for anything else."""
    name, _, pk = str(key or "").partition(":")
    if not name or not pk.isdigit():
        return None
    return name, int(pk)


# --- writes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueDecision:
    source: QueueSource
    obj: models.Model
    changed: bool


def queue_decide(
    *, sources: list[QueueSource], keys: list[str], approve: bool, moderator, reason: str = ""
) -> list[QueueDecision]:
    """Approve or reject the items named by `keys` ("source:pk"), each through its source's
    service (its own transaction: one refused item does not undo the others). Keys of
    sources not in `sources` or of items that no longer exist are skipped."""
    wanted: dict[str, list[int]] = {}
    for key in keys:
        parsed = parse_key(key)
        if parsed and queue_source_get(parsed[0], sources):
            wanted.setdefault(parsed[0], []).append(parsed[1])
    decisions = []
    for name, pks in wanted.items():
        source = queue_source_get(name, sources)
        found = source.load(sorted(set(pks)))
        for pk in sorted(found):
            obj = found[pk]
            if approve:
                changed = source.approve(obj=obj, moderator=moderator)
            else:
                changed = source.reject(obj=obj, moderator=moderator, reason=reason)
            decisions.append(QueueDecision(source, obj, changed))
    return decisions
