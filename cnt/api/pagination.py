from functools import partial

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from cnt import errors


def _positive(raw: str, name: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise errors.InvalidInput(errors={name: ["A whole number from 1 is required."]})
    return value


class StandardPagination(PageNumberPagination):
    """`?page=` (from 1) and `?page_size=` (1 to 100; larger is clamped to 100) with a count
    and next/previous links. A page that is not a whole number from 1 is a 400; a page past
    the last is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages if paginator is not None else raw
        return _positive(raw, self.page_query_param)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        return min(_positive(raw, self.page_size_query_param), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


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
