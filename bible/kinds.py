"""Bible stories as a content kind: moderated, playable, searchable, in playlists."""

from django.utils.translation import gettext_noop

from catalog.kinds import (
    ContentKind,
    kind_field_normaliser_register,
    kind_field_writer_register,
    kind_register,
)

BIBLE_STORY = kind_register(
    ContentKind(
        name="bible_story",
        label=gettext_noop("Bible story"),
        model_label="bible.BibleStory",
        position=40,
        media_fields=(("video", ("video",)), ("audio", ("audio",))),
        image_fields=("thumbnail",),
        is_playable=True,
        in_playlists=True,
        is_searchable=True,
        search_fields=("title", "scripture_reference", "description"),
        lexicon_fields=("title",),
        is_spoken_word=True,
    )
)


def _podcast_scripture_write(*, obj, value) -> str:
    """A podcast's `scripture_reference`, kept as verse ranges for the passage search."""
    from bible.services import scripture_links_set

    return scripture_links_set(content_type="podcast", object_id=obj.pk, reference=value)


kind_field_writer_register("podcast", "scripture_reference", _podcast_scripture_write)


def _podcast_scripture_normalise(*, value) -> str:
    """The reference as the writer would store it (InvalidInput for text naming no passage)."""
    from bible.services import scripture_reference_normalise

    return scripture_reference_normalise(reference=value)


kind_field_normaliser_register("podcast", "scripture_reference", _podcast_scripture_normalise)
