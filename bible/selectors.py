"""Reads of the Bible app. Stories go through the content visibility rule, documents through
the publication rule; `*_get_for_user` fetches and authorizes in one call (hidden = 404).
Querysets carry what their representation reads, so lists run a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from bible import policies
from bible.models import BibleStory, DocumentAsset, ScriptureLink
from bible.references import Passage
from catalog.models import ContentType, Podcast
from cnt.errors import NotFound
from cnt.models import ModerationStatus

# Content that can carry scripture passages, by the type name stored in ScriptureLink.
LINKED_MODELS = {ContentType.BIBLE_STORY.value: BibleStory, ContentType.PODCAST.value: Podcast}


def overlap_q(passages: Iterable[Passage]) -> Q:
    """Links whose range overlaps any of `passages`."""
    condition = Q(pk__in=[])
    for passage in passages:
        condition |= Q(
            start_verse_id__lte=passage.end_verse_id, end_verse_id__gte=passage.start_verse_id
        )
    return condition


def links_for(*, content_type: str, object_ids: Iterable[int]) -> dict[int, list[ScriptureLink]]:
    """{object id: its links in order}, one query."""
    found: dict[int, list[ScriptureLink]] = defaultdict(list)
    for link in ScriptureLink.objects.filter(
        content_type=content_type, object_id__in=list(object_ids)
    ).order_by("object_id", "position", "id"):
        found[link.object_id].append(link)
    return found


# --- documents -----------------------------------------------------------------------------


def document_list(*, user) -> QuerySet[DocumentAsset]:
    return (
        DocumentAsset.objects.filter(policies.document_visibility_q(user))
        .select_related("file", "cover", "category")
        .order_by("title", "id")
    )


def document_get_for_user(*, user, pk) -> DocumentAsset:
    document = document_list(user=user).filter(pk=pk).first()
    if document is None:
        raise NotFound()
    return document


# --- stories -------------------------------------------------------------------------------


def story_queryset() -> QuerySet[BibleStory]:
    # The assets' transcripts give the captions (catalog/api CaptionsMixin); their words
    # and paragraphs are read only by the transcript route.
    return (
        BibleStory.objects.select_related(
            "video",
            "audio",
            "thumbnail",
            "category",
            "owner",
            "video__transcript",
            "audio__transcript",
        )
        .defer(
            *(
                f"{asset}__transcript__{column}"
                for asset in ("video", "audio")
                for column in ("words", "paragraphs", "text")
            )
        )
        .prefetch_related("video__renditions", "audio__renditions")
    )


def story_list(
    *,
    user,
    passages: list[Passage] | None = None,
    status: str | None = None,
    mine: bool = False,
    category_id: int | None = None,
) -> QuerySet[BibleStory]:
    """Visible stories, newest first. By default the public list (approved); `mine` gives
    the caller's own in every state; `status` picks a state among what the caller sees."""
    stories = policies.visible_to(user, story_queryset())
    if mine:
        if not (user and user.is_authenticated):
            return stories.none()
        stories = stories.filter(owner_id=user.pk)
    if status:
        stories = stories.filter(status=status)
    elif not mine:
        stories = stories.filter(status=ModerationStatus.APPROVED)
    if category_id is not None:
        stories = stories.filter(category_id=category_id)
    if passages:
        tagged = ScriptureLink.objects.filter(
            overlap_q(passages), content_type=ContentType.BIBLE_STORY, object_id=OuterRef("pk")
        )
        stories = stories.filter(Exists(tagged))
    return stories.order_by("-created_at", "-id")


def story_get_for_user(*, user, pk) -> BibleStory:
    story = policies.visible_to(user, story_queryset()).filter(pk=pk).first()
    if story is None:
        raise NotFound()
    return story


# --- passage search ------------------------------------------------------------------------


def _visible_q(user) -> Q:
    condition = Q(pk__in=[])
    for content_type, model in LINKED_MODELS.items():
        visible = policies.visible_to(
            user,
            model.objects.filter(pk=OuterRef("object_id"), status=ModerationStatus.APPROVED),
        )
        condition |= Q(Exists(visible), content_type=content_type)
    return condition


def passage_matches(*, user, passages: list[Passage]) -> QuerySet:
    """(content_type, object_id) of approved stories and podcasts tagged with a passage that
    overlaps `passages`, in canonical order of their first matching verse."""
    return (
        ScriptureLink.objects.filter(overlap_q(passages))
        .filter(_visible_q(user))
        .values("content_type", "object_id")
        .annotate(first_verse=Min("start_verse_id"))
        .order_by("first_verse", "content_type", "object_id")
    )


def passage_items(*, matches: list[dict]) -> list[tuple[str, object, list[ScriptureLink]]]:
    """The objects behind a page of matches with all their links: one query per type for
    the objects and one for the links."""
    ids: dict[str, list[int]] = defaultdict(list)
    for match in matches:
        ids[match["content_type"]].append(match["object_id"])
    objects, links = {}, {}
    for content_type, object_ids in ids.items():
        model = LINKED_MODELS[content_type]
        queryset = model.objects.select_related("thumbnail").filter(pk__in=object_ids)
        for obj in queryset:
            objects[(content_type, obj.pk)] = obj
        for object_id, found in links_for(content_type=content_type, object_ids=object_ids).items():
            links[(content_type, object_id)] = found
    return [
        (m["content_type"], objects[key], links.get(key, []))
        for m in matches
        if (key := (m["content_type"], m["object_id"])) in objects
    ]
