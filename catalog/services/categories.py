"""Writes for categories."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from catalog.models import (
    Category,
)
from cnt.errors import InvalidInput


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100]
    if not base:
        raise InvalidInput(
            errors={"slug": ["The name has no letters to build a slug from; give one."]}
        )
    slug, n = base, 2
    while Category.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def category_create(*, name: str, slug: str = "", **fields) -> Category:
    """A new category; the slug is derived from the name when not given."""
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug or _unique_slug(name), **fields)
    except IntegrityError:
        raise InvalidInput(errors={"slug": ["A category with this slug already exists."]})


def category_update(*, category: Category, **changes) -> Category:
    for field, value in changes.items():
        setattr(category, field, value)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise InvalidInput(errors={"slug": ["A category with this slug already exists."]})
    return category


def category_delete(*, category: Category) -> None:
    """Content in the category stays, uncategorised."""
    category.delete()
