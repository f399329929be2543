"""Celery tasks of the community app."""

from celery import shared_task


@shared_task(name="community.render_quote_image", bind=True, acks_late=True, max_retries=3)
def render_quote_image(self, post_id: int) -> str:
    """Give a quote post without an image a generated quote image (once)."""
    from community.services import post_attach_quote_image

    return post_attach_quote_image(post_id=post_id)
