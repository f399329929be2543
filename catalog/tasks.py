"""Celery tasks of the catalog app."""

from celery import shared_task


@shared_task(name="catalog.notify_followers_of_new_content", acks_late=True)
def notify_followers_of_new_content(content_type: str, object_id: int) -> int:
    """Tell an artist's followers about newly public content (once per item)."""
    from catalog.services import content_notify_followers

    return content_notify_followers(content_type=content_type, object_id=object_id)


@shared_task(name="catalog.rebuild_search_lexicon", acks_late=True)
def rebuild_search_lexicon() -> tuple[int, int]:
    """Drop words that no approved item or artist uses any more (renames, deletions,
    rejections); new words are added as content is approved. Safe to run twice."""
    from catalog.lexicon import lexicon_rebuild

    return lexicon_rebuild()
