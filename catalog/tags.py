"""Content tags: the one rule for what a list of tags may hold (API and admin alike)."""

from cnt.errors import InvalidInput

MAX_TAGS = 20
TAG_MAX_LENGTH = 50


def tags_normalise(values) -> list[str]:
    """Surrounding spaces dropped, empty tags and repeats (ignoring case) removed, order
    kept; InvalidInput for more than MAX_TAGS tags or one longer than TAG_MAX_LENGTH."""
    tags, seen = [], set()
    for value in values:
        tag = " ".join(str(value).split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    too_long = [tag for tag in tags if len(tag) > TAG_MAX_LENGTH]
    if too_long:
        raise InvalidInput(
            errors={"tags": [f"Keep each tag under {TAG_MAX_LENGTH} characters: {too_long[0]!r}."]}
        )
    if len(tags) > MAX_TAGS:
        raise InvalidInput(errors={"tags": [f"At most {MAX_TAGS} tags ({len(tags)} given)."]})
    return tags
