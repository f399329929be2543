"""Demo Bible content: animated stories, a study document, and the passages the demo
podcast episodes are about (found by GET bible/passages)."""

from bible.models import BibleStory, DocumentAsset
from bible.services import scripture_links_set
from catalog.demo import demo_moderate
from catalog.models import Podcast
from media.demo import demo_document, demo_image, demo_video
from media.models import AssetPurpose

STORIES = [
    ("Jonah and the Great Fish", "Jonah 1-4"),
    ("David and Goliath", "1 Samuel 17"),
]
DOCUMENT_TITLE = "Gospel of John (study edition)"
# Pastor James's episodes (catalog/demo.py), by title.
PODCAST_PASSAGES = {
    "Walking by Faith": "Hebrews 11:1-6",
    "The Good Shepherd": "John 10:11-18; Psalm 23",
    "Romans, Chapter 8": "Romans 8",
    "Prayer That Moves Mountains": "Mark 11:22-25",
}


def _seed_stories(context, admin):
    for title, reference in STORIES:
        story, created = context.get_or_create(
            BibleStory,
            title=title,
            owner=admin,
            defaults={
                "scripture_reference": reference,
                "category": context.categories["old-testament"],
                "description": f"An animated telling of {reference}.",
            },
        )
        if created:
            story.video = demo_video(
                context, owner=admin, purpose=AssetPurpose.BIBLE_STORY, tone=262
            )
            story.thumbnail = demo_image(
                context,
                owner=admin,
                purpose=AssetPurpose.THUMBNAIL,
                text=title,
                color=(20, 90, 130),
            )
            story.duration_seconds = 3 if story.video else 0
            story.save()
            demo_moderate(context, story)


def _seed_document(context, admin):
    if DocumentAsset.objects.filter(title=DOCUMENT_TITLE).exists():
        return
    asset = demo_document(context, owner=admin, text="Gospel of John")
    context.get_or_create(
        DocumentAsset,
        title=DOCUMENT_TITLE,
        defaults={"file": asset, "page_count": 1, "uploaded_by": admin},
    )


def _seed_podcast_passages(context):
    podcasts = Podcast.objects.filter(
        owner=context.users["pastor_james"], title__in=PODCAST_PASSAGES, scripture_reference=""
    )
    for podcast in podcasts:
        podcast.scripture_reference = scripture_links_set(
            content_type="podcast",
            object_id=podcast.pk,
            reference=PODCAST_PASSAGES[podcast.title],
        )
        podcast.save(update_fields=["scripture_reference"])


def seed(context) -> None:
    admin = context.users["admin"]
    _seed_stories(context, admin)
    _seed_document(context, admin)
    _seed_podcast_passages(context)
