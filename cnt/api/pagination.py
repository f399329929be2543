from functools import partial

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100) with a count and next/previous links."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class _CountedPaginator(Paginator):
    """A Paginator whose count comes from `count_source(compute)` (a cache, say)."""

    def __init__(self, object_list, per_page, *, count_source, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_source = count_source

    @cached_property
    def count(self):
        return self.count_source(self.object_list.count)


class CachedCountPagination(StandardPagination):
    """StandardPagination whose total comes from the view's `list_count(request, compute)`
    (which may answer from a cache) instead of a COUNT(*) on every page."""

    def paginate_queryset(self, queryset, request, view=None):
        source = getattr(view, "list_count", None)
        if source is None or not hasattr(queryset, "count"):
            self.django_paginator_class = Paginator
        else:
            self.django_paginator_class = partial(
                _CountedPaginator, count_source=lambda compute: source(request, compute)
            )
        return super().paginate_queryset(queryset, request, view)
