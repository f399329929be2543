"""Demo Bible content: animated stories, a study document, and the passages the demo
podcast episodes are about (found by GET bible/passages)."""

from bible.models import BibleStory, DocumentAsset
from bible.services import scripture_links_set
from catalog.demo import demo_moderate, demo_seconds
from catalog.models import Podcast
from media.demo import demo_document, demo_film, demo_image
from media.models import AssetPurpose

STORIES = [
    ("Jonah and the Great Fish", "Jonah 1-4"),
    ("David and Goliath", "1 Samuel 17"),
    ("Noah's Ark", "Genesis 6-9"),
    ("Daniel in the Lions' Den (draft)", "Daniel 6"),
]
NARRATION = {
    "Jonah and the Great Fish": [
        "Jonah ran from the Lord and boarded a ship to Tarshish.",
        "A great fish swallowed him, and he prayed from inside the fish.",
    ],
    "David and Goliath": [
        "The giant Goliath stood before the army of Israel.",
        "David, a shepherd boy, took five smooth stones and his sling.",
    ],
    "Noah's Ark": [
        "Noah built an ark, as God commanded him.",
        "The animals came two by two, and the rain began to fall.",
    ],
    "Daniel in the Lions' Den (draft)": ["Daniel prayed three times a day."],
}
# One story waits for a moderator, one was sent back.
PENDING = {"Noah's Ark"}
REJECTED = {"Daniel in the Lions' Den (draft)": "The narration stops after one line."}
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
            story.video = demo_film(
                context,
                owner=admin,
                purpose=AssetPurpose.BIBLE_STORY,
                title=title,
                narration=NARRATION[title],
                color=(30, 110, 150),
                seconds=4.0 if title in PENDING or title in REJECTED else 10.0,
            )
            story.thumbnail = demo_image(
                context,
                owner=admin,
                purpose=AssetPurpose.THUMBNAIL,
                text=title,
                subtitle=reference,
                color=(30, 110, 150),
            )
            story.duration_seconds = demo_seconds(story.video)
            story.save()
            demo_moderate(context, story, pending=PENDING, rejected=REJECTED)


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
