"""What the voice assistant may look up in the Bible app (registered in cnt/assistant.py):
approved stories by title or reference, published documents by title or description."""

from django.db.models import Q

from bible.models import BibleStory, DocumentAsset
from cnt.models import ModerationStatus
from cnt.text import shortened

SUMMARY_CHARS = 240
EXCERPT_CHARS = 800


def _short(text: str, size: int = SUMMARY_CHARS) -> str:
    return shortened(text, size)


def story_lookup(query: str, limit: int) -> list[dict]:
    stories = BibleStory.objects.filter(
        Q(title__icontains=query) | Q(scripture_reference__icontains=query),
        status=ModerationStatus.APPROVED,
    ).order_by("title", "id")[:limit]
    return [
        {
            "id": story.pk,
            "title": story.title,
            "scripture_reference": story.scripture_reference,
            "summary": _short(story.description),
            "excerpt": _short(story.body, EXCERPT_CHARS),
        }
        for story in stories
    ]


def document_lookup(query: str, limit: int) -> list[dict]:
    documents = DocumentAsset.objects.filter(
        Q(title__icontains=query) | Q(description__icontains=query), is_published=True
    ).order_by("title", "id")[:limit]
    return [
        {
            "id": document.pk,
            "title": document.title,
            "description": _short(document.description),
            "language": document.language,
            "page_count": document.page_count,
        }
        for document in documents
    ]
