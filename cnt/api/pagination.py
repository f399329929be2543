from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100) with a count and next/previous links."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class _CountedPaginator(Paginator):
    """A Paginator whose count comes from `count_source(compute)` (a cache) when given."""

    count_source = None

    @cached_property
    def count(self):
        def compute():
            return self.object_list.count()

        return self.count_source(compute) if self.count_source else compute()


class CachedCountPagination(StandardPagination):
    """StandardPagination whose total comes from the view's `list_count(request, compute)`
    (which may answer from a cache) instead of a COUNT(*) on every page."""

    def paginate_queryset(self, queryset, request, view=None):
        source = getattr(view, "list_count", None) if hasattr(queryset, "count") else None

        class Counted(_CountedPaginator):
            count_source = staticmethod(lambda compute: source(request, compute))

        self.django_paginator_class = Counted if source else Paginator
        return super().paginate_queryset(queryset, request, view)
