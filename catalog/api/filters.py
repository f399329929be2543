"""Query parameters of the catalogue listings. Parsing only: who sees what is decided by
catalog.selectors.content_scope (on a queryset already limited by the visibility policy)."""

import django_filters
from django import forms
from drf_spectacular.drainage import set_override
from rest_framework.filters import OrderingFilter

from catalog import selectors
from catalog.models import Category
from cnt.models import ModerationStatus

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A positive integer id, documented as one (a NumberFilter reads as a float)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
        if kwargs.get("help_text"):
            schema["description"] = kwargs["help_text"]
        set_override(self, "field", schema)


class ContentFilter(django_filters.FilterSet):
    category = IdFilter(field_name="category_id", help_text="Category id.")
    artist = IdFilter(field_name="artist_id", help_text="Artist id: that artist's items.")
    status = django_filters.ChoiceFilter(
        choices=ModerationStatus.choices,
        method="_scoped",
        help_text=(
            "Moderation state. Moderators get every item in that state; others only reach "
            "their own items in a state other than approved."
        ),
    )
    mine = django_filters.BooleanFilter(
        method="_scoped", help_text="Only your own items, in every state unless `status` is set."
    )
    language = django_filters.CharFilter(
        field_name="language",
        max_length=3,
        help_text="Only items in this language (an ISO 639 code such as en or fr).",
    )

    def _scoped(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return selectors.content_scope(
            queryset,
            user=getattr(self.request, "user", None),
            status=data.get("status") or None,
            mine=bool(data.get("mine")),
        )


class PodcastFilter(ContentFilter):
    type = django_filters.ChoiceFilter(
        choices=[("audio", "Audio"), ("video", "Video")],
        method="_by_type",
        help_text="Audio-only or video podcasts.",
    )

    def _by_type(self, queryset, name, value):
        return queryset.filter(video__isnull=(value == "audio"))


class CategoryFilter(django_filters.FilterSet):
    class Meta:
        model = Category
        fields = ["kind"]


class StableOrderingFilter(OrderingFilter):
    """OrderingFilter that breaks ties by id, so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view) or []
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            last = ordering[-1] if ordering else "-id"
            ordering = [*ordering, "-id" if last.startswith("-") else "id"]
        return ordering
